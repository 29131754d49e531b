#!/usr/bin/env python3
"""Checks of the aggregator's feed with Python's standard readers, used by
the feed.* tests: `metadata PORT TOKEN` parses $metadata with xml.etree and
checks the CSDL names every column with its type; `csv PORT TOKEN` reads
/api/v1/status.csv with the csv module and compares every value with
/api/v1/status (JSON). Exit status 0 = all good; a message says what not."""
import csv
import io
import json
import sys
import urllib.request
import xml.etree.ElementTree as ET

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


def csv_check(port, token):
    headers, body = get(port, token, "/api/v1/status.csv")
    if not headers.get("Content-Type", "").startswith("text/csv"):
        fail("csv content type " + headers.get("Content-Type"))
    text = body.decode("utf-8")
    if "\r\n" not in text:
        fail("csv lines must end in CRLF")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    _, jbody = get(port, token, "/api/v1/status")
    jrows = json.loads(jbody, parse_float=lambda s: s)["rows"]
    if len(rows) != len(jrows) or not rows:
        fail(f"{len(rows)} csv rows, {len(jrows)} json rows")
    if list(rows[0].keys()) != list(COLUMNS):
        fail("csv header differs from the columns")
    for c, j in zip(rows, jrows):
        for k in COLUMNS:
            if c[k] != as_text(j[k]):
                fail(f"{j['project_id']}.{k}: csv {c[k]!r} json {j[k]!r}")
    print(f"{len(rows)} rows equal")


if __name__ == "__main__":
    what, port, token = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    {"metadata": metadata, "csv": csv_check}[what](port, token)
