"""Seeds a `vary serve --demo` server for benches/page_load.sh: in brand alpine, a content type
Card and ten card entries of ten published variants each (nine targeted at a segment, one for
everyone), a content type Page whose `cards` list references all ten from the entry `page`, and
a new delivery key, which it prints.

    python3 benches/page_seed.py PORT
"""
import json
import sys
import urllib.request

PORT = sys.argv[1]


def gql(query, variables=None, token=None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    body = json.load(urllib.request.urlopen(request))
    if body.get("errors"):
        sys.exit(f"seeding failed: {body['errors']}")
    return body["data"]


admin = gql('mutation { login(email: "admin@vary.demo", password: "vary-demo-2026") { token } }')
admin = admin["login"]["token"]
TYPE = "mutation($i: CreateContentTypeInput!) { createContentType(input: $i) { id } }"
ENTRY = "mutation($i: CreateEntryInput!) { createEntry(input: $i) { id } }"
VARIANT = "mutation($i: CreateVariantInput!) { createVariant(input: $i) { id } }"
PUBLISH = "mutation($id: ID!) { publishVariant(id: $id) { id } }"


def published(entry, name, fields, rule=None, priority=0):
    variant = {"entryId": entry, "name": name, "fields": fields, "rule": rule, "priority": priority}
    vid = gql(VARIANT, {"i": variant}, admin)["createVariant"]["id"]
    gql(PUBLISH, {"id": vid}, admin)


gql(TYPE, {"i": {"brand": "alpine", "name": "Card", "fields": [
    {"name": "title", "kind": "TEXT", "required": True}, {"name": "body", "kind": "RICH_TEXT"}]}}, admin)
gql(TYPE, {"i": {"brand": "alpine", "name": "Page", "fields": [
    {"name": "cards", "kind": "REFERENCE", "to": ["Card"], "list": True, "maxLength": 10}]}}, admin)
for c in range(10):
    entry = gql(ENTRY, {"i": {"brand": "alpine", "key": f"card-{c}", "contentType": "Card"}}, admin)
    entry = entry["createEntry"]["id"]
    for v in range(9):
        rule = {"all": [{"attr": "segment", "op": "eq", "value": f"segment-{v}"},
                        {"attr": "tier", "op": "gte", "value": v % 3}]}
        published(entry, f"card {c} for segment {v}", {"title": f"Card {c}.{v}", "body": "**Fresh** snow"}, rule, v)
    published(entry, f"card {c} for everyone", {"title": f"Card {c}", "body": "Snow"})
page = gql(ENTRY, {"i": {"brand": "alpine", "key": "page", "contentType": "Page"}}, admin)["createEntry"]["id"]
published(page, "page", {"cards": [f"card-{c}" for c in range(10)]})
key = gql('mutation { createDeliveryKey(brand: "alpine", name: "bench-pages") { token } }', token=admin)
print(key["createDeliveryKey"]["token"])
