"""Reads K9's SQLite store file straight from disk (Python's sqlite3, read-only), for tests
that check what a killed or starved server left behind without starting it again.

Items are in src/store/sqlite/item_codec.h's binary form; decode_item() reads it."""
import sqlite3

TAGS = {1: "S", 2: "N", 3: "B", 4: "BOOL", 5: "NULL", 6: "M", 7: "L", 8: "SS", 9: "NS", 10: "BS"}


class _Reader:
    def __init__(self, data):
        self.data, self.pos = bytes(data), 0

    def varint(self):
        value, shift = 0, 0
        while True:
            byte = self.data[self.pos]
            self.pos += 1
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value
            shift += 7

    def raw(self):
        n = self.varint()
        out = self.data[self.pos:self.pos + n]
        if len(out) != n:
            raise ValueError("truncated item")
        self.pos += n
        return out

    def text(self):
        return self.raw().decode("utf-8")

    def value(self):
        tag = TAGS[self.data[self.pos]]
        self.pos += 1
        if tag in ("S", "N"):
            return self.text()
        if tag == "B":
            return self.raw()
        if tag == "BOOL":
            self.pos += 1
            return self.data[self.pos - 1] == 1
        if tag == "NULL":
            return None
        if tag == "M":
            return self.item()
        if tag == "L":
            return [self.value() for _ in range(self.varint())]
        return {self.raw() if tag == "BS" else self.text() for _ in range(self.varint())}

    def item(self):
        return {self.text(): self.value() for _ in range(self.varint())}


def _whole_item(reader):
    item = reader.item()
    if reader.pos != len(reader.data):
        raise ValueError("trailing bytes after item")
    return item


def decode_item(blob):
    """An item as a dict (numbers stay decimal strings); ValueError on a corrupt row."""
    return _whole_item(_Reader(blob))


class _TypedReader(_Reader):
    """Values in DynamoDB JSON's typed form ({"N": "1.5"}, {"M": {...}}), as boto3's client has them."""

    def value(self):
        tag = TAGS[self.data[self.pos]]
        plain = super().value()
        if tag == "M":
            return {"M": plain}
        if tag == "L":
            return {"L": plain}
        if tag == "NULL":
            return {"NULL": True}
        if tag in ("SS", "NS", "BS"):
            return {tag: sorted(plain)}
        return {tag: plain}


def decode_typed_item(blob):
    """An item in DynamoDB JSON's typed form; ValueError on a corrupt row."""
    return _whole_item(_TypedReader(blob))


def open_read_only(path):
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def integrity(path):
    """PRAGMA integrity_check's answer ("ok" when the file is sound)."""
    with open_read_only(path) as db:
        return "; ".join(row[0] for row in db.execute("PRAGMA integrity_check"))


def items(path, table):
    """Every item of a store table (e.g. "k9-reports-dev"), decoded."""
    with open_read_only(path) as db:
        return [decode_item(row[0]) for row in db.execute(f'SELECT item FROM "t:{table}"')]


def typed_items(path, table):
    """Every item of a store table in DynamoDB JSON's typed form."""
    with open_read_only(path) as db:
        return [decode_typed_item(row[0]) for row in db.execute(f'SELECT item FROM "t:{table}"')]


def half_written(path, env="dev"):
    """What breaks the report/reference-product pair: a report whose reference product is
    missing or not its own, and a reference product whose report is gone. [] when sound."""
    reports = {r["id"]: r for r in items(path, f"k9-reports-{env}")}
    products = {p["id"]: p for p in items(path, f"k9-products-{env}")}
    problems = []
    for rid, report in reports.items():
        ref = report.get("reference")
        if isinstance(ref, dict):
            continue  # reference stored inline (the Python generation's form)
        product = products.get(ref)
        if product is None:
            problems.append(f"report {rid} without its reference product {ref}")
        elif product.get("report_id") != rid or product.get("user_id") != report.get("user_id"):
            problems.append(f"report {rid} points at product {ref} of another report or user")
    for pid, product in products.items():
        owner = product.get("report_id")
        if owner is not None and owner not in reports:
            problems.append(f"reference product {pid} of missing report {owner}")
    return problems
