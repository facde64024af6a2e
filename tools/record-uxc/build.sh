#!/bin/bash
# Builds libubox, ubus, uci, udebug's library and procd (with ujail and uxc) from SRC into
# WORK/root, for tools/record-uxc/record.sh. The sources are copied to WORK/src first; two
# changes for glibc, none to the code that runs: -Werror off in procd (gcc 12 warns in
# signal.c), and strlcpy (musl has it, glibc before 2.38 does not) from a one-function library.
set -euo pipefail
SRC=$1
WORK=$2
ROOT=$WORK/root
mkdir -p "$WORK/src" "$ROOT/lib" "$ROOT/include"
for p in libubox ubus uci udebug procd; do rm -rf "$WORK/src/$p" && cp -a "$SRC/$p" "$WORK/src/$p"; done
flags=(-DCMAKE_INSTALL_PREFIX="$ROOT" -DCMAKE_PREFIX_PATH="$ROOT" -DCMAKE_C_FLAGS="-I$ROOT/include" -DCMAKE_EXE_LINKER_FLAGS="-L$ROOT/lib" -DCMAKE_SHARED_LINKER_FLAGS="-L$ROOT/lib")
for p in libubox ubus uci; do
  (cd "$WORK/src/$p" && mkdir -p b && cd b && cmake .. -DBUILD_LUA=OFF -DBUILD_EXAMPLES=OFF "${flags[@]}" >../build.log && make -j2 >>../build.log && make install >>../build.log)
done
(cd "$WORK/src/udebug" && mkdir -p b && cd b && cmake .. "${flags[@]}" -Ducode_include_dir="$ROOT/include" >../build.log && make udebug >>../build.log)
cp "$WORK/src/udebug/b/libudebug.so" "$ROOT/lib/" && cp "$WORK/src/udebug/udebug.h" "$ROOT/include/"
cat > "$WORK/compat.h" <<'C'
extern __SIZE_TYPE__ strlcpy(char *, const char *, __SIZE_TYPE__);
C
cat > "$WORK/compat.c" <<'C'
#include <string.h>
size_t strlcpy(char *d, const char *s, size_t n) { size_t l = strlen(s); if (n) { size_t c = l >= n ? n - 1 : l; memcpy(d, s, c); d[c] = 0; } return l; }
C
gcc -shared -fPIC -o "$ROOT/lib/libcompat.so" "$WORK/compat.c"
sed -i 's/ -Werror / /' "$WORK/src/procd/CMakeLists.txt"
# In its source directory: its header generators run as ./make_syscall_h.sh.
(cd "$WORK/src/procd" && cmake . -DJAIL_SUPPORT=ON -DSECCOMP_SUPPORT=ON -DCMAKE_INSTALL_PREFIX="$ROOT" -DCMAKE_PREFIX_PATH="$ROOT" \
  -DCMAKE_C_FLAGS="-I$ROOT/include -include $WORK/compat.h" -DCMAKE_EXE_LINKER_FLAGS="-L$ROOT/lib" -DCMAKE_SHARED_LINKER_FLAGS="-L$ROOT/lib" \
  -DCMAKE_C_STANDARD_LIBRARIES="-L$ROOT/lib -lcompat" >build.log && make -j2 >>build.log && make install >>build.log)
echo "built into $ROOT: $(ls "$ROOT/sbin" | tr '\n' ' ')"
