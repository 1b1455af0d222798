#!/bin/sh
# check_hash.sh ARCA_EDGER DIR — the EDL interface hash (docs/formats.md, "EDL interface hash"):
#  1. DIR/same_*.edl (other layout, comments, #ifdef-ed out text, include and definition order,
#     other spellings of the same resolved types, the import written out) hash like DIR/base.edl;
#  2. every variant below (one change of base.edl each, or base.edl with -D) hashes differently
#     from base.edl and from every other variant;
#  3. --print-interface of base.edl is DIR/base.interface byte for byte, and the hash is the
#     SHA-256 of that text;
#  4. separate --trusted and --untrusted runs write that same hash into X_t.c and X_u.c.
set -eu
edger=$1
dir=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/arca-edl-hash.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
status=0
fail() { echo "FAIL: $*"; status=1; }

hash_of() { # FILE [ARGS...] -> the hash, or "error"
    f=$1
    shift
    "$edger" --search-path "$dir" "$@" --print-hash "$f" 2>"$tmp/stderr" || { echo error; return 0; }
}

base=$(hash_of "$dir/base.edl")
echo "$base" | grep -Eqx '[0-9a-f]{64}' || fail "base.edl: no hash: $base $(cat "$tmp/stderr")"

# 1. the same interface, written differently
for f in "$dir"/same_*.edl; do
    h=$(hash_of "$f")
    [ "$h" = "$base" ] || fail "$(basename "$f") hashes $h, base.edl $base: it is the same interface"
done
cp "$dir/base.edl" "$tmp/renamed_file.edl"
mkdir -p "$tmp/lib" && cp "$dir/lib/lib.edl" "$tmp/lib/"
h=$(hash_of "$tmp/renamed_file.edl")
[ "$h" = "$base" ] || fail "the file's name changed the hash"

# 2. one change each: NAME|SED SCRIPT (applied to base.edl)
cat >"$tmp/variants" <<'EOF'
size_attribute|s/size=len/count=len/
parameter_type|s/size_t len,/uint32_t len,/
direction|s/\[in, out\] int32_t arr/[in] int32_t arr/
array_dimension|s/arr\[DIM\]\[2\]/arr[DIM][3]/
enumerator_value|s/MODE_C = 10/MODE_C = 11/
member_type|s/uint8_t tag;/uint16_t tag;/
member_order|s/int32_t x; int32_t y;/int32_t y; int32_t x;/
member_name|s/int32_t x; int32_t y;/int32_t x; int32_t z;/
union_member|s/double d;/float d;/
member_dimension|s/pts\[DIM\]/pts[3]/
function_name|s/e_string/e_strlen/
function_order|/public size_t e_string/{h;d;};/int e_private(int x);/G
ecall_added_first|s/^    trusted {/    trusted {\n        public int e_new(int x);/
ecall_made_private|s/public size_t e_string/size_t e_string/
allow_list|s/allow(e_private)/allow()/
propagate_errno|s/ propagate_errno//
switchless|s/ transition_using_threads//
string_to_buffer|s/\[in, string\] const char \*s/[in, size=4] const char *s/
foreign_type|s/handle_t h/other_t h/
parameter_name|s/int a,/int b,/
parameter_added|s/int e_private(int x)/int e_private(int x, int y)/
return_type|s/public int e_value/public long e_value/
host_call_return|s/void o_errno/int o_errno/
host_call_order|/int o_call(int x) allow(e_private);/{h;d;};/propagate_errno;/G
EOF
: >"$tmp/hashes"
count=0
while IFS='|' read -r name script; do
    v="$tmp/$name.edl"
    sed -e "$script" "$dir/base.edl" >"$v"
    if cmp -s "$v" "$dir/base.edl"; then
        fail "variant $name: the sed script '$script' changed nothing in base.edl"
        continue
    fi
    h=$(hash_of "$v")
    if [ "$h" = error ]; then
        fail "variant $name does not compile: $(cat "$tmp/stderr")"
    elif [ "$h" = "$base" ]; then
        fail "variant $name hashes like base.edl ($h)"
    fi
    echo "$h $name" >>"$tmp/hashes"
    count=$((count + 1))
done <"$tmp/variants"
# an #ifdef-ed function read in
h=$(hash_of "$dir/base.edl" -D WITH_EXTRA)
[ "$h" != "$base" ] && [ "$h" != error ] || fail "-D WITH_EXTRA (one more ecall) left the hash $h"
echo "$h defined_WITH_EXTRA" >>"$tmp/hashes"
dups=$(cut -d' ' -f1 "$tmp/hashes" | sort | uniq -d)
[ -z "$dups" ] || fail "variants with the same hash: $(grep -F "$dups" "$tmp/hashes" | tr '\n' ' ')"

# 3. the canonical text, and the hash is its SHA-256
"$edger" --search-path "$dir" --print-interface "$dir/base.edl" >"$tmp/base.interface"
cmp -s "$tmp/base.interface" "$dir/base.interface" ||
    { fail "--print-interface differs from base.interface:"; diff -u "$dir/base.interface" "$tmp/base.interface" || true; }
sum=$(sha256sum "$dir/base.interface" | cut -d' ' -f1)
[ "$sum" = "$base" ] || fail "the hash $base is not the SHA-256 of base.interface ($sum)"

# 4. separate runs for the two sides carry one hash (the bytes of the definitions)
mkdir "$tmp/t" "$tmp/u"
"$edger" --search-path "$dir" --trusted --trusted-dir "$tmp/t" "$dir/base.edl"
"$edger" --search-path "$dir" --untrusted --untrusted-dir "$tmp/u" "$dir/base.edl"
bytes_of() { # FILE SYMBOL -> the hex of the 32 bytes of SYMBOL's definition
    sed -n "/^const uint8_t $2\[32\] = {/,/^};/p" "$1" | grep -o '0x[0-9a-f][0-9a-f]' | sed 's/0x//' | tr -d '\n'
}
t=$(bytes_of "$tmp/t/base_t.c" arca__interface_hash)
u=$(bytes_of "$tmp/u/base_u.c" base_interface_hash)
[ "$t" = "$base" ] || fail "base_t.c carries '$t', --print-hash says $base"
[ "$u" = "$base" ] || fail "base_u.c carries '$u', --print-hash says $base"
grep -q "^extern const uint8_t base_interface_hash\[32\];" "$tmp/u/base_u.h" || fail "base_u.h does not declare base_interface_hash"
grep -q "base_create_enclave(const char \*image_path" "$tmp/u/base_u.h" || fail "base_u.h does not declare base_create_enclave"

[ "$status" = 0 ] && echo "edl_interface_hash: $(ls "$dir"/same_*.edl | wc -l) same-interface files and $((count + 1)) one-change variants behave"
exit "$status"
