"""What changed between two releases' tables: columns added or removed, rows added, removed or changed."""

from collections import Counter
from dataclasses import dataclass

from catalog.models import Release
from catalog.web.preview import previewable, read_preview


@dataclass(frozen=True)
class TableDiff:
    columns_added: list[str]
    columns_removed: list[str]
    rows_added: int
    rows_removed: int
    rows_changed: int
    complete: bool  # False when a file was longer than what the preview reads

    @property
    def unchanged(self) -> bool:
        return not (self.columns_added or self.columns_removed or self.rows_added or self.rows_removed)


def diff_releases(new: Release, old: Release | None) -> TableDiff | None:
    """Compares the first CSV of each release; a row is "changed" when its text columns (its key) stay
    and a number in it differs. None when either release has no CSV to compare."""
    new_file, old_file = previewable(new), previewable(old)
    if new_file is None or old_file is None:
        return None
    after, before = read_preview(new_file), read_preview(old_file)
    common = [c for c in after.columns if c in before.columns]
    key_columns = [c for c in common if c not in after.numeric] or common[:1]

    def project(rows: list[list[str]], columns: list[str], wanted: list[str]) -> list[tuple[str, ...]]:
        index = [columns.index(c) for c in wanted]
        return [tuple(row[i] for i in index) for row in rows]

    new_rows = Counter(project(after.rows, after.columns, common))
    old_rows = Counter(project(before.rows, before.columns, common))
    added, removed = new_rows - old_rows, old_rows - new_rows
    new_keys = Counter(project([list(r) for r in added.elements()], common, key_columns))
    old_keys = Counter(project([list(r) for r in removed.elements()], common, key_columns))
    changed = sum((new_keys & old_keys).values())
    return TableDiff(
        columns_added=[c for c in after.columns if c not in before.columns],
        columns_removed=[c for c in before.columns if c not in after.columns],
        rows_added=added.total() - changed,
        rows_removed=removed.total() - changed,
        rows_changed=changed,
        complete=after.read_all and before.read_all,
    )
