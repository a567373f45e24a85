"""The address guard: which hosts the catalogue may point at (a link resource) or fetch from (a harvest).

A link is published for anyone's browser to follow, so it must be an http(s) URL on a public host:
never `javascript:`, `data:` or `file:`, never loopback, link-local (cloud metadata), private or
reserved addresses, including those written inside an IPv6 address (IPv4-compatible `::a.b.c.d`,
IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`, Teredo). Harvesting uses the same
rule, widened only by TERBUKA_HARVEST_ALLOWED_HOSTS (an `AllowList`).
"""

import ipaddress
import re
import socket
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import urlsplit

from catalog.errors import Invalid

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215: translators of one network, never public
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
HOST_NAME = re.compile(r"[a-z0-9_]([a-z0-9_-]{0,62})(\.[a-z0-9_]([a-z0-9_-]{0,62}))*\.?")
LOCAL_NAMES = ("localhost", ".localhost", ".local", ".internal", ".home.arpa")


class LinkDescription(NamedTuple):
    """What a source declares about a link; what it leaves empty is guessed from the URL."""

    name: str = ""
    format: str = ""
    media_type: str = ""
    byte_size: int | None = None


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries and that a network would reach through it, if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in NAT64 or int(address) >> 32 == 0:  # NAT64, or IPv4-compatible (deprecated, still routed)
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def public_address(address: IPAddress) -> bool:
    """Whether the address is on the public internet, judging an IPv6 form by the IPv4 address it carries."""
    if isinstance(address, ipaddress.IPv6Address):
        if address in NAT64_LOCAL:
            return False
        carried = embedded_ipv4(address)
        if carried is not None:
            return carried.is_global
    return address.is_global


def _port(text: str, entry: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"{entry!r}: the port must be a number from 1 to 65535")
    return int(text)


@dataclass
class AllowList:
    """Hosts outside the public internet that may be harvested: names and CIDR ranges, each optionally
    with a port (`intranet.pontianak.go.id:8080`, `10.20.0.0/16`, `127.0.0.2:8398`, `[fd00::1]:8080`).
    An entry with a port allows that port only; an entry without one allows every port."""

    names: dict[str, set[int | None]] = field(default_factory=dict)
    networks: list[tuple[Network, int | None]] = field(default_factory=list)

    @classmethod
    def parse(cls, spec: str) -> "AllowList":
        """Read the comma-separated setting; an entry that is neither a host nor a range raises ValueError."""
        allowed = cls()
        for entry in (part.strip() for part in spec.split(",")):
            if not entry:
                continue
            host, port = entry, None
            if bracketed := re.fullmatch(r"\[([^\]]+)\](?::(.*))?", entry):
                host, port = bracketed[1], _port(bracketed[2], entry) if bracketed[2] is not None else None
            elif entry.count(":") == 1:
                host, _, text = entry.partition(":")
                port = _port(text, entry)
            try:
                allowed.networks.append((ipaddress.ip_network(host, strict=False), port))
                continue
            except ValueError:
                pass
            if not HOST_NAME.fullmatch(host.lower()):
                raise ValueError(f"{entry!r} is not a host name, an IP address or a CIDR range (no scheme or path)")
            allowed.names.setdefault(host.lower().rstrip("."), set()).add(port)
        return allowed

    def allows_name(self, host: str, port: int) -> bool:
        ports = self.names.get(host.lower().rstrip("."), set())
        return None in ports or port in ports

    def allows_address(self, address: IPAddress, port: int) -> bool:
        return any(address in network and allowed in (None, port) for network, allowed in self.networks)


def url_port(url: str) -> int:
    parts = urlsplit(url)
    return parts.port or (443 if parts.scheme == "https" else 80)


def literal_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def check_link(url: str) -> str:
    """A link resource's URL as given, when it is http(s) on a public host; Invalid with the reason otherwise.

    A host name is resolved here and refused when it names a non-public address; a name that does not
    resolve from the catalogue's network is accepted (it is published for browsers, never fetched)."""
    try:
        parts = urlsplit(url.strip())
        port = url_port(url.strip())
    except ValueError as exc:
        raise Invalid(f"link {url!r} is not a valid URL ({exc})", code="invalid_link") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid(f"link {url!r}: only http and https URLs with a host can be links", code="invalid_link")
    host = parts.hostname.lower().rstrip(".")
    if host == LOCAL_NAMES[0] or host.endswith(LOCAL_NAMES[1:]):
        raise Invalid(f"link {url!r}: {host} is a local name, not a public host", code="invalid_link")
    literal = literal_address(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            addresses = [ipaddress.ip_address(info[4][0]) for info in socket.getaddrinfo(host, port)]
        except (OSError, UnicodeError):
            addresses = []
    for address in addresses:
        if not public_address(address):
            named = f"{host} is {address}," if literal is None else f"{host} is"
            raise Invalid(f"link {url!r}: {named} not a public address", code="invalid_link")
    return url.strip()
