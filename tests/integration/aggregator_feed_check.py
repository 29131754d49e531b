#!/usr/bin/env python3
"""Checks of the aggregator's feed with Python's standard readers, used by
the feed.* tests: `metadata PORT TOKEN` parses $metadata with xml.etree and
checks the CSDL names every column with its type; `csv PORT TOKEN` reads
/api/v1/status.csv with the csv module and compares every value with
/api/v1/status (JSON), text cells that start with a formula character
expected with a ' in front; `csv_excel PORT TOKEN` does the same for
?delimiter=semicolon&decimal=comma (a UTF-8 BOM, ';', decimal commas);
`xlsx PORT TOKEN [ROWS]` reads /api/v1/status.xlsx with zipfile and
xml.etree — every cell's type (number, date, boolean, text) and value
against the JSON, the frozen header row and the autofilter — and, when
python3-openpyxl is installed, once more with openpyxl. ROWS: the number
of rows the token must see. Exit status 0 = all good; a message says what
not."""
import csv
import datetime
import io
import json
import re
import sys
import urllib.request
import xml.etree.ElementTree as ET
import zipfile

COLUMNS = {
    "project_id": "Edm.String", "project_name": "Edm.String",
    "partnership_id": "Edm.String", "partnership_name": "Edm.String",
    "client_org": "Edm.String", "municipality": "Edm.String", "kind": "Edm.String",
    "fast_track": "Edm.Boolean", "dwellings": "Edm.Int32", "stage": "Edm.String",
    "stage_since": "Edm.Date", "paused": "Edm.Boolean", "pause_reason": "Edm.String",
    "baseline_handover": "Edm.Date", "forecast_handover": "Edm.Date",
    "schedule_variance_days": "Edm.Int32", "budget_a_dkk": "Edm.Decimal",
    "budget_b_dkk": "Edm.Decimal", "forecast_dkk": "Edm.Decimal",
    "drift_pct": "Edm.Decimal", "market_adjusted_drift_pct": "Edm.Decimal",
    "molio_compliant": "Edm.Boolean", "satisfaction": "Edm.Decimal",
    "satisfaction_trend": "Edm.String", "satisfaction_alert": "Edm.Boolean",
    "open_disputes": "Edm.Int32", "max_dispute_level": "Edm.Int32",
    "open_defects": "Edm.Int32", "rag_time": "Edm.String", "rag_economy": "Edm.String",
    "rag_satisfaction": "Edm.String", "rag_overall": "Edm.String", "seq": "Edm.Int64",
    "updated_at": "Edm.DateTimeOffset",
    # rehousing (issue 20, item 4)
    "without_rehousing": "Edm.Boolean", "households_to_rehouse": "Edm.Int32",
    "households_rehoused": "Edm.Int32", "households_rehoused_permanent": "Edm.Int32",
    "households_moved_back": "Edm.Int32", "last_moved_back_on": "Edm.Date",
    # issue 20, item 6: AB18 deadlines
    "next_deadline": "Edm.Date", "next_deadline_kind": "Edm.String",
    "arbitration_deadline": "Edm.Date", "arbitration_deadline_near": "Edm.Boolean",
    "inspection_due": "Edm.Date", "inspection_overdue": "Edm.Boolean",
    # earned value (issue 20 item 1)
    "spi": "Edm.Decimal", "cpi": "Edm.Decimal", "eac_dkk": "Edm.Decimal",
    "vac_dkk": "Edm.Decimal",
    # sustainability and reuse (issue 20, item 3)
    "sustainability_measures": "Edm.Int32", "reused_kg": "Edm.Int64",
    "reused_between_projects_kg": "Edm.Int64", "energy_saving_kwh_m2": "Edm.Decimal",
    "energy_saving_expected_kwh_m2": "Edm.Decimal", "energy_saved_kwh": "Edm.Int64",
    "co2e_saving_kg_m2": "Edm.Decimal",
    # lessons learned (issue 20, item 5)
    "lessons": "Edm.Int32", "lessons_adopted": "Edm.Int32",
}
EDMX = "{http://docs.oasis-open.org/odata/ns/edmx}"
EDM = "{http://docs.oasis-open.org/odata/ns/edm}"


def get(port, token, path):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                 headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.headers, r.read()


def fail(msg):
    print("aggregator_feed_check: " + msg, file=sys.stderr)
    sys.exit(1)


def metadata(port, token):
    headers, body = get(port, token, "/odata/$metadata")
    if headers.get_content_type() != "application/xml":
        fail("content type " + headers.get("Content-Type"))
    if len(headers.get_all("OData-Version") or []) != 1:
        fail("OData-Version must appear exactly once")
    root = ET.fromstring(body)
    if root.tag != EDMX + "Edmx" or root.get("Version") != "4.0":
        fail("root is not edmx:Edmx 4.0")
    schema = root.find(EDMX + "DataServices/" + EDM + "Schema")
    et = schema.find(EDM + "EntityType[@Name='ProjectStatus']")
    if et is None:
        fail("no EntityType ProjectStatus")
    key = et.find(EDM + "Key/" + EDM + "PropertyRef")
    if key is None or key.get("Name") != "project_id":
        fail("key is not project_id")
    props = {p.get("Name"): p.get("Type") for p in et.findall(EDM + "Property")}
    if props != COLUMNS:
        fail(f"properties differ: {set(props.items()) ^ set(COLUMNS.items())}")
    names = [p.get("Name") for p in et.findall(EDM + "Property")]
    if names != list(COLUMNS):
        fail("properties are not in column order")
    es = schema.find(EDM + "EntityContainer/" + EDM + "EntitySet")
    if es is None or es.get("Name") != "ProjectStatus" or es.get("EntityType") != "trin.ProjectStatus":
        fail("no entity set ProjectStatus of trin.ProjectStatus")


def as_text(v):
    if v is None:
        return ""
    if v is True:
        return "true"
    if v is False:
        return "false"
    return str(v)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_expected(column, value, decimal):
    """What a CSV cell must hold for a JSON value: text that a spreadsheet
    would run as a formula gets a ' in front (text columns only); decimals
    take the decimal mark asked for."""
    text = as_text(value)
    kind = COLUMNS[column]
    if kind == "Edm.String" and text.startswith(FORMULA_START):
        return "'" + text
    if kind == "Edm.Decimal" and value is not None:
        return text.replace(".", decimal)
    return text


def json_rows(port, token):
    _, jbody = get(port, token, "/api/v1/status")
    return json.loads(jbody, parse_float=lambda s: s)["rows"]


def csv_compare(port, token, path, delimiter, decimal, bom):
    headers, body = get(port, token, path)
    if not headers.get("Content-Type", "").startswith("text/csv"):
        fail("csv content type " + headers.get("Content-Type"))
    if body.startswith(b"\xef\xbb\xbf") != bom:
        fail(f"{path}: a UTF-8 BOM is {'missing' if bom else 'not wanted'}")
    text = body.decode("utf-8-sig")
    if "\r\n" not in text:
        fail("csv lines must end in CRLF")
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))
    jrows = json_rows(port, token)
    if len(rows) != len(jrows) or not rows:
        fail(f"{len(rows)} csv rows, {len(jrows)} json rows")
    if list(rows[0].keys()) != list(COLUMNS):
        fail("csv header differs from the columns")
    for c, j in zip(rows, jrows):
        for k in COLUMNS:
            if c[k] != csv_expected(k, j[k], decimal):
                fail(f"{path} {j['project_id']}.{k}: csv {c[k]!r} json {j[k]!r}")
    print(f"{len(rows)} rows equal")


def csv_check(port, token):
    csv_compare(port, token, "/api/v1/status.csv", ",", ".", False)


def csv_excel(port, token):
    csv_compare(port, token, "/api/v1/status.csv?delimiter=semicolon&decimal=comma", ";", ",",
                True)


# ---- xlsx ------------------------------------------------------------------------

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
EXCEL_EPOCH = datetime.datetime(1899, 12, 30, tzinfo=datetime.timezone.utc)


def col_letters(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def cell_ref(ref):
    m = re.fullmatch(r"([A-Z]+)([0-9]+)", ref)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


def number_formats(z):
    """Style index -> number format code (built-in 0 = General)."""
    st = ET.fromstring(z.read("xl/styles.xml"))
    codes = {int(n.get("numFmtId")): n.get("formatCode")
             for n in st.findall("m:numFmts/m:numFmt", NS)}
    return [codes.get(int(x.get("numFmtId", "0")), "General")
            for x in st.findall("m:cellXfs/m:xf", NS)]


def ooxml_text(text):
    """Control characters travel as _xHHHH_ in OOXML text (ECMA-376 ST_Xstring)."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def xlsx_cells(z):
    """The first sheet as {(row, col): (type, text, style)}, and the sheet."""
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    sheets = wb.findall("m:sheets/m:sheet", NS)
    if [s.get("name") for s in sheets] != ["status"]:
        fail("the workbook must have one sheet named status")
    shared = []
    if "xl/sharedStrings.xml" in z.namelist():
        sst = ET.fromstring(z.read("xl/sharedStrings.xml"))
        shared = ["".join(t.text or "" for t in si.iter("{%s}t" % NS["m"]))
                  for si in sst.findall("m:si", NS)]
    sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
    cells = {}
    for c in sheet.iter("{%s}c" % NS["m"]):
        t = c.get("t", "n")
        style = int(c.get("s", "0"))
        if t == "inlineStr":
            text = ooxml_text("".join(x.text or "" for x in c.iter("{%s}t" % NS["m"])))
            t = "str"
        elif t == "s":
            text = ooxml_text(shared[int(c.find("m:v", NS).text)])
            t = "str"
        else:
            v = c.find("m:v", NS)
            text = v.text if v is not None else None
        cells[cell_ref(c.get("r"))] = (t, text, style)
    return cells, sheet


def serial_to_instant(v):
    return EXCEL_EPOCH + datetime.timedelta(days=float(v))


def check_xlsx_cell(where, kind, value, cell, formats):
    if value is None:
        if cell is not None:
            fail(f"{where}: an empty column must be an empty cell, not {cell}")
        return
    if cell is None:
        fail(f"{where}: no cell for {value!r}")
    t, text, style = cell
    fmt = formats[style] if style < len(formats) else "General"
    if kind == "Edm.String":
        if t != "str" or text != value:
            fail(f"{where}: text {value!r} came out as {t} {text!r}")
    elif kind == "Edm.Boolean":
        if t != "b" or text != ("1" if value else "0"):
            fail(f"{where}: boolean {value!r} came out as {t} {text!r}")
    elif kind in ("Edm.Int32", "Edm.Int64"):
        if t != "n" or float(text) != float(value):
            fail(f"{where}: number {value!r} came out as {t} {text!r}")
    elif kind == "Edm.Decimal":
        if t != "n" or abs(float(text) - float(value)) > 1e-9:
            fail(f"{where}: number {value!r} came out as {t} {text!r}")
        if where.endswith("_dkk") and "kr." not in fmt:
            fail(f"{where}: an amount needs a kr. number format, not {fmt!r}")
    elif kind == "Edm.Date":
        day = serial_to_instant(text).date().isoformat() if t == "n" else None
        if day != value or "yy" not in fmt:
            fail(f"{where}: date {value!r} came out as {t} {text!r} format {fmt!r}")
    elif kind == "Edm.DateTimeOffset":
        want = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if t != "n" or abs((serial_to_instant(text) - want).total_seconds()) > 0.001 \
                or "hh:mm" not in fmt:
            fail(f"{where}: instant {value!r} came out as {t} {text!r} format {fmt!r}")


def xlsx_check(port, token, rows=None):
    headers, body = get(port, token, "/api/v1/status.xlsx")
    want_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if headers.get("Content-Type") != want_type:
        fail("xlsx content type " + str(headers.get("Content-Type")))
    z = zipfile.ZipFile(io.BytesIO(body))
    if z.testzip() is not None:
        fail("a damaged member in the xlsx")
    formats = number_formats(z)
    cells, sheet = xlsx_cells(z)
    jrows = json_rows(port, token)
    if rows is not None and len(jrows) != int(rows):
        fail(f"the token sees {len(jrows)} rows, not {rows}")
    names = list(COLUMNS)
    for i, name in enumerate(names):
        if cells.get((0, i), (None, None))[:2] != ("str", name):
            fail(f"header cell {col_letters(i)}1 is {cells.get((0, i))}, not {name}")
    last_row = max(r for r, _ in cells)
    if last_row != len(jrows):
        fail(f"{last_row} data rows in the sheet, {len(jrows)} in the JSON")
    for r, j in enumerate(jrows, start=1):
        for i, name in enumerate(names):
            check_xlsx_cell(f"row {r} {j['project_id']}.{name}", COLUMNS[name], j[name],
                            cells.get((r, i)), formats)
    pane = sheet.find("m:sheetViews/m:sheetView/m:pane", NS)
    if pane is None or pane.get("state") != "frozen" or pane.get("ySplit") != "1" \
            or pane.get("topLeftCell") != "A2":
        fail("the header row is not frozen")
    af = sheet.find("m:autoFilter", NS)
    want_ref = f"A1:{col_letters(len(names) - 1)}{len(jrows) + 1}"
    if af is None or af.get("ref") != want_ref:
        fail(f"autofilter {None if af is None else af.get('ref')}, not {want_ref}")
    try:
        import openpyxl
    except ImportError:
        print(f"{len(jrows)} rows equal (openpyxl not installed: zipfile reading only)")
        return
    wb = openpyxl.load_workbook(io.BytesIO(body))
    ws = wb["status"]
    if ws.freeze_panes != "A2" or ws.auto_filter.ref != want_ref:
        fail(f"openpyxl: freeze {ws.freeze_panes} filter {ws.auto_filter.ref}")
    for r, j in enumerate(jrows, start=2):
        for i, name in enumerate(names, start=1):
            v, c = j[name], ws.cell(row=r, column=i)
            kind = COLUMNS[name]
            ok = {
                # openpyxl 3.0 leaves inline strings' _xHHHH_ escapes as they are
                "Edm.String": lambda: ooxml_text(c.value) == v,
                "Edm.Boolean": lambda: c.value is v,
                "Edm.Date": lambda: c.is_date and c.value.date().isoformat() == v,
                "Edm.DateTimeOffset": lambda: c.is_date,
            }.get(kind, lambda: isinstance(c.value, (int, float)) and
                  abs(c.value - float(v)) < 1e-9)
            if v is None:
                if c.value is not None:
                    fail(f"openpyxl: {name} row {r} should be empty: {c.value!r}")
            elif not ok():
                fail(f"openpyxl: {j['project_id']}.{name}: {c.value!r} for {v!r}")
    print(f"{len(jrows)} rows equal (zipfile and openpyxl)")


if __name__ == "__main__":
    what, port, token = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    {"metadata": metadata, "csv": csv_check, "csv_excel": csv_excel,
     "xlsx": xlsx_check}[what](port, token, *sys.argv[4:])
