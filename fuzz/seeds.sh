#!/usr/bin/env bash
# Builds the seed corpora of the fuzz targets from the project's own test data:
#
#   parse_expression, parse_template, differential, roundtrip, eval
#       every `input` of expr-grammar/tests/data/*.json (the conformance tables), plus the
#       expressions and templates of a few hand-written lines below;
#   arazzo
#       the same inputs, each behind a byte that selects the dialect (one seed per dialect),
#       and the Arazzo lines below;
#   raw_http
#       examples/*.http (request and response joined by a NUL byte, as the target splits them)
#       and a few hand-written messages;
#   document
#       examples/*.yaml|json, the smaller documents of corpus/, and
#       the document fixtures of oas-callbacks/tests/fixtures;
#   condition
#       every simple condition of arazzo/tests/data/criteria/*.json (the criteria tables).
#
# Seeds are written to fuzz/corpus/<target>/seed-* (git-ignored; libFuzzer adds what it finds
# to the same folders). Running it again refreshes the seeds and keeps what was found.
# Needs only bash, and python3 or perl (JSON::PP) to read the JSON tables; with neither, the
# tables are skipped and the hand-written seeds still are written.
#
# Usage: fuzz/seeds.sh [CORPUS_DIR]   (default: fuzz/corpus)
set -euo pipefail

fuzz_dir="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$fuzz_dir/.." && pwd)"
corpus="${1:-$fuzz_dir/corpus}"
targets=(parse_expression parse_template differential roundtrip eval arazzo raw_http document condition)
for target in "${targets[@]}"; do
    mkdir -p "$corpus/$target"
    rm -f "$corpus/$target"/seed-*
done

# seed TARGET NAME < content
seed() {
    cat > "$corpus/$1/seed-$2"
}

# --- expressions and templates --------------------------------------------------------------
tables=("$root"/expr-grammar/tests/data/*.json)
extract_inputs() {
    # Writes each case's `input` to DIR/seed-<table>-<n>.
    local dir="$1"
    if command -v python3 > /dev/null 2>&1; then
        python3 - "$dir" "${tables[@]}" <<'PY'
import json, os, sys
out = sys.argv[1]
for path in sys.argv[2:]:
    table = os.path.splitext(os.path.basename(path))[0]
    with open(path, encoding="utf-8") as f:
        cases = json.load(f).get("cases", [])
    for n, case in enumerate(cases):
        text = case.get("input")
        if isinstance(text, str):
            with open(os.path.join(out, f"seed-{table}-{n}"), "wb") as f:
                f.write(text.encode("utf-8", "surrogatepass"))
PY
    elif perl -MJSON::PP -e 1 > /dev/null 2>&1; then
        perl -MJSON::PP -e '
            my $out = shift @ARGV;
            for my $path (@ARGV) {
                my ($table) = $path =~ m{([^/]+)\.json$};
                local $/; open(my $f, "<", $path) or die; my $doc = JSON::PP->new->decode(<$f>);
                my $n = 0;
                for my $case (@{$doc->{cases} || []}) {
                    my $text = $case->{input};
                    if (defined $text && !ref $text) {
                        open(my $o, ">:raw:encoding(UTF-8)", "$out/seed-$table-$n") or die; print $o $text; close $o;
                    }
                    $n++;
                }
            }' "$dir" "${tables[@]}"
    else
        echo "seeds.sh: neither python3 nor perl with JSON::PP; skipping the grammar tables" >&2
    fi
}
extract_inputs "$corpus/parse_expression"
cp "$corpus/parse_expression"/seed-* "$corpus/parse_template/" 2> /dev/null || true
cp "$corpus/parse_expression"/seed-* "$corpus/differential/" 2> /dev/null || true
cp "$corpus/parse_expression"/seed-* "$corpus/eval/" 2> /dev/null || true
# roundtrip reads an `arbitrary` enum: four zero bytes select its first variant, a string.
for file in "$corpus/parse_expression"/seed-*; do
    [ -e "$file" ] || continue
    { printf '\0\0\0\0'; cat "$file"; } > "$corpus/roundtrip/$(basename "$file")"
done

n=0
while IFS= read -r line; do
    n=$((n + 1))
    for target in parse_expression parse_template differential eval; do
        printf '%s' "$line" | seed "$target" "hand-$n"
    done
    { printf '\0\0\0\0%s' "$line"; } | seed roundtrip "hand-$n"
done <<'LINES'
$url
$method
$statusCode
$request.header.X-Callback-Url
$request.query.queryUrl
$request.query.
$request.path.eventType
$request.body
$request.body#
$request.body#/successUrls/1
$response.body#/a~0b/c~1d/0
$request.query.a\u00e9\uD83D\uDE00\n
http://notificationServer.com?transactionId={$request.body#/id}&email={$request.body#/email}
{$request.query.queryUrl}/data
{$request.header.Location}?s={$statusCode}&m={$method}&u={$url}
https://example.com/{$request.path.id}#{$response.body#/x}
http://x/{id}
{$request.body#/a}}
LINES

# --- simple conditions (Arazzo criteria) -----------------------------------------------------
if command -v python3 > /dev/null 2>&1; then
    python3 - "$corpus/condition" "$root"/arazzo/tests/data/criteria/*.json <<'PY'
import json, os, sys
out = sys.argv[1]
for path in sys.argv[2:]:
    table = os.path.splitext(os.path.basename(path))[0]
    with open(path, encoding="utf-8") as f:
        cases = json.load(f).get("cases", [])
    for n, case in enumerate(cases):
        criterion = case.get("criterion")
        if isinstance(criterion, dict) and isinstance(criterion.get("condition"), str):
            with open(os.path.join(out, f"seed-{table}-{n}"), "wb") as f:
                f.write(criterion["condition"].encode("utf-8"))
PY
fi
printf '%s' '$statusCode == 200 && $response.body#/count > 0' | seed condition hand-1
printf '%s' "\$response.body#/status == 'Available' || !(\$statusCode >= 400)" | seed condition hand-2

# arazzo: the first byte picks the dialect (0 openapi, 1 arazzo-1.0.0, 2 arazzo-1.0.1,
# 3 arazzo-1.1.0). The tables' inputs go in under 1.0.1 and 1.1.0, the lines below under every
# dialect.
for file in "$corpus/parse_expression"/seed-*; do
    [ -e "$file" ] || continue
    { printf '\2'; cat "$file"; } > "$corpus/arazzo/$(basename "$file")-2"
    { printf '\3'; cat "$file"; } > "$corpus/arazzo/$(basename "$file")-3"
done
n=0
while IFS= read -r line; do
    n=$((n + 1))
    for selector in 0 1 2 3; do
        { printf "\\$selector"; printf '%s' "$line"; } | seed arazzo "hand-$n-$selector"
    done
done <<'LINES'
$inputs.username
$inputs.customer#/address/city
$outputs.o#
$steps.someStepId.outputs.pets#/0/id
$steps.someStep.pets
$workflows.foo.inputs.username
$workflows.w.steps.s
$sourceDescriptions.petstore.getPetById
$sourceDescriptions.s.a{
$components.parameters.page
$components.inputs.x
$message.header.Server
$message.payload#/status
$self
$request.query.a}
$statusCode == 200 && $response.body#/count > 0
$response.body.count > $inputs.threshold
https://{$inputs.host}/api/{$steps.create.outputs.id}/status
{$sourceDescriptions.petStoreDescription.url}#/paths/~1pet~1findByStatus/get
$[?(@.status == "{$inputs.expectedStatus}")]
^2\d{2}$
{$inputs.a}}
LINES

# --- raw HTTP ---------------------------------------------------------------------------------
if [ -f "$root/examples/spec-request.http" ]; then
    cat "$root/examples/spec-request.http" | seed raw_http spec-request
    if [ -f "$root/examples/spec-response.http" ]; then
        { cat "$root/examples/spec-request.http"; printf '\0'; cat "$root/examples/spec-response.http"; } |
            seed raw_http spec-exchange
    fi
fi
printf 'GET /users/42?q=a%%20b&q=2 HTTP/1.1\r\nHost: api.example\r\nX-A: 1\r\nX-A: 2\r\n\r\n\0HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{"uuid": "a-b-c", "items": [1, {"x": null}]}' |
    seed raw_http crlf-exchange
printf 'POST http://proxy.example/x?y HTTP/1.1\nHost: other\nContent-Type: text/plain\n\n{"a": 1}\n\x00201 Created\nLocation: https://example.org/subscription/1\n' |
    seed raw_http absolute-target
printf 'POST /x HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n' | seed raw_http chunked
printf 'GET /x HTTP/1.1\nHost: h\nX-Obs: caf\xe9\nX-Ctl: a\x01b\n\n' | seed raw_http obs-text
printf '\n\n\xef\xbb\xbfGET / HTTP/1.1\nHost: h' | seed raw_http bom-no-blank-line

# --- documents --------------------------------------------------------------------------------
# The first byte selects the format: even for JSON, odd for YAML.
add_document() {
    local file="$1" name
    name="$(basename "$file")"
    case "$file" in
        *.json) { printf '\0'; cat "$file"; } | seed document "$name" ;;
        *.yaml | *.yml) { printf '\1'; cat "$file"; } | seed document "$name" ;;
    esac
}
for file in "$root"/examples/*.yaml "$root"/examples/*.json "$root"/oas-callbacks/tests/fixtures/*.yaml \
    "$root"/oas-callbacks/tests/fixtures/*.json; do
    [ -f "$file" ] && add_document "$file"
done
documents="$root/corpus"
if [ -d "$documents" ]; then
    # Only the small ones: libFuzzer's input length follows the largest seed, and a small
    # maximum keeps the executions fast.
    for file in "$documents"/*.yaml "$documents"/*.json; do
        [ -f "$file" ] || continue
        if [ "$(wc -c < "$file")" -le 8192 ]; then
            add_document "$file"
        fi
    done
fi

for target in "${targets[@]}"; do
    printf '%-18s %5d seeds\n' "$target" "$(find "$corpus/$target" -name 'seed-*' | wc -l)"
done
