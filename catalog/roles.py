"""The roles of an account, apart from the tables so the command line can offer them without loading the catalogue."""

import enum


class Role(enum.StrEnum):
    produsen = "produsen"
    walidata = "walidata"
    pembina = "pembina"
    admin = "admin"
