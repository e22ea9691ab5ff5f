#!/usr/bin/env bash
# The real-texture set of bench/vision_real.cc: photographed material textures (stone, wood,
# marble, tiles, brick, fabric, paper...) that no one on K9 drew, taken from Debian's
# supertuxkart-data package. Fetched with `apt-get download` (no root needed), unpacked with
# dpkg-deb into a cache outside the repository, never committed: the repository keeps only
# bench/real_textures.txt, the package version and each chosen file's SHA-256 and path.
#
# Usage: bench/real_textures.sh [--choose BENCH] [CACHE]
#   CACHE defaults to ~/.cache/k9-textures. Prints the folder of the set (CACHE/set), which
#   holds exactly the listed files, each checked against its SHA-256 (a mismatch stops).
#   --choose BENCH: picks the set anew and rewrites bench/real_textures.txt. Candidates are
#   the package's texture folders' PNGs and JPEGs whose names say a material and not a
#   map, sprite or scene (the patterns below); BENCH (k9_bench_vision_real) then keeps those
#   of at least 256 px a side that look like a photographed texture and are not another
#   file's picture (`--choose` there), and draws them on CACHE/sheet.png to look at.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
list="$root/bench/real_textures.txt"
package=supertuxkart-data
version=1.4+dfsg-2
choose=""
if [[ ${1:-} == --choose ]]; then
  choose=$(realpath "$2")
  shift 2
fi
cache=${1:-$HOME/.cache/k9-textures}
deb_dir="$cache/debs"
unpacked="$cache/unpacked/$package"
mkdir -p "$deb_dir"

deb=$(ls "$deb_dir/${package}_"*.deb 2>/dev/null | head -n 1 || true)
if [[ -z $deb ]]; then
  echo "real_textures: apt-get download $package=$version (about 630 MB)" >&2
  (cd "$deb_dir" && apt-get download -q "$package=$version" >&2)
  deb=$(ls "$deb_dir/${package}_"*.deb | head -n 1)
fi
if [[ ! -f "$unpacked/.done" ]]; then
  rm -rf "$unpacked"
  mkdir -p "$unpacked"
  # Only the texture folders' images (the package also holds models, sounds and music).
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$unpacked" --wildcards \
    './usr/share/games/supertuxkart/data/textures/*.png' './usr/share/games/supertuxkart/data/textures/*.jpg' \
    './usr/share/games/supertuxkart/data/tracks/*.png' './usr/share/games/supertuxkart/data/tracks/*.jpg'
  touch "$unpacked/.done"
fi
data="$unpacked/usr/share/games/supertuxkart/data"

if [[ -n $choose ]]; then
  # A material in the name, and none of: maps (normal, gloss, specular, masks), sprites,
  # effects, signs, skies, plants, liquids and snow (not products anyone photographs to buy).
  material='wood|stone|rock|marble|tile|brick|fabric|carpet|tapis|wicker|concrete|plaster|stucco|paper|cardboard|ceramic|cobble|gravel|bark|thatch|leather|metal|rust|bamboo|wallpaper|asphalt|tarmac|dirt|earth|paving|wall|floor|plank|board|granite|slate|cork|rope|straw|hay|basalt|pebble|cloth|roof|crate|canyon|cliff|pyramid|egypt|iron|steel'
  not_material='normal|_nm|nrm|deprecated|crate|road|trail|asphalt|tarmac|racetrack|gloss|spec|mask|alpha|_n\.|icon|gfx|flag|sky|cloud|particle|smoke|spark|glow|logo|sign|screen|atlas|nebula|planet|decal|shadow|light|water|lava|snow|ice|grass|leaf|leaves|tree|kart|_low|window|door|panel|barrel|sand'
  # Looked at on the look test's sheet and left out: carvings, panels with rivets, a moss
  # blob, trims and painted text (not one uniform material).
  looked_at='textures/egypt2|metal_plates|mossy_stone|metaloverlap|wall1b|wall3b|tile3b|endcutscene/metal|cottage_wall3|volcano_island/wall0|volcano_island/wood'
  mapfile -t candidates < <(cd "$data" && find textures tracks -type f \( -name '*.png' -o -name '*.jpg' \) |
    grep -iE "($material)[^/]*$" | grep -viE "($not_material)[^/]*$" | grep -vE "$looked_at" |
    LC_ALL=C sort)
  echo "real_textures: ${#candidates[@]} candidates by name" >&2
  mapfile -t chosen < <(cd "$data" && "$choose" --choose --sheet "$cache/sheet.png" "${candidates[@]}" |
    awk '$1 == "keep" {print $NF}')
  {
    echo "# bench/real_textures.sh --choose: $package $version, paths under usr/share/games/supertuxkart/data"
    (cd "$data" && sha256sum "${chosen[@]}")
  } > "$list"
  echo "real_textures: ${#chosen[@]} textures listed in ${list#"$root"/}" >&2
fi

# The set: each listed file, checked, under a flat name (tracks/x/y.png -> tracks_x_y.png).
set_dir="$cache/set"
rm -rf "$set_dir.tmp"
mkdir -p "$set_dir.tmp"
(cd "$data" && grep -v '^#' "$list" | sha256sum --check --quiet --strict -) || {
  echo "real_textures: the unpacked files do not match bench/real_textures.txt" >&2
  exit 1
}
grep -v '^#' "$list" | while read -r _ path; do
  cp "$data/$path" "$set_dir.tmp/${path//\//_}"
done
rm -rf "$set_dir"
mv "$set_dir.tmp" "$set_dir"
echo "$set_dir"
