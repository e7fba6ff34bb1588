#!/usr/bin/env bash
# Builds DJL's PyTorch JNI library (libdjl_torch.so) for the torch already installed on this machine, installs it
# where DJL looks for a JNI library next to libtorch, and prints the environment to run trainer.jar with.
#
#   bench/gpu/build-jni.sh [--torch PATH] [--djl-src DIR|ARCHIVE] [options]
#
# Needed when the machine's torch is not libtorch 2.7.1 (the version DJL 0.36's JNI library in trainer.jar is built
# against) and no 2.7.1 can be installed: e.g. a GPU machine without network whose pip torch is 2.11 + CUDA 13.0.
# `java -jar trainer/target/trainer.jar doctor` says when; docs/gpu.md explains the rest.
#
# --torch PATH        the torch to build against: a pip install (site-packages, site-packages/torch or torch/lib),
#                     an unzipped libtorch (libtorch/ or libtorch/lib), a conda env, or Debian's /usr (libtorch-dev).
#                     Default: the first entry of PYTORCH_LIBRARY_PATH holding libtorch.so, else python3's torch.
# --djl-src SRC       DJL's source for the DJL version in pom.xml: a checkout or unpacked release (the directory that
#                     holds engines/ and api/), or the release archive (djl-0.36.0.tar.gz / .zip from GitHub).
#                     Default: $DJL_SRC, else downloaded from GitHub (needs network).
# --install-dir DIR   where the JNI library goes. Default: next to libtorch (the torch's lib directory) when it is
#                     writable and holds only torch's libraries; DJL's cache directory for this version and flavour
#                     when it is not writable; a directory of links to torch's libraries plus the JNI library (under
#                     DJL's cache directory) when torch shares its lib directory (Debian's /usr/lib, a conda env).
# --build-dir DIR     scratch directory (default: ${TMPDIR:-/tmp}/alpharl-jni-build-<torch version>)
# --jobs N            parallel compile jobs (default: the number of cores)
# --cuda auto|on|off  compile DJL's CUDA-only code (a separate inference stream, emptyCache); auto: on for a CUDA
#                     torch when the CUDA runtime, cuBLAS, cuSPARSE and cuSOLVER headers are found. Off still runs on the GPU: CUDA kernels live in
#                     libtorch_cuda, which the library links either way.
# --torch-config auto|torch|shim
#                     how CMake finds torch: `torch` is the torch's own TorchConfig.cmake (a CUDA torch's config
#                     needs a full CUDA toolkit: nvcc, nvrtc, the driver stub); `shim` is a minimal config written
#                     here (headers + libraries, no toolkit needed); auto tries torch's and falls back to the shim.
# --check             check everything and print the plan, compile nothing
# --force             build even when the DJL source's version differs from pom.xml's (the JNI must match the
#                     pytorch-engine jar's native methods: a mismatch fails at run time)
#
# Takes minutes: 15 C++ files against torch's headers. Measured 2 min with one job on a 2-core machine against
# Debian's libtorch 1.13 headers; torch 2.x headers are larger (not measured). docs/gpu.md has the details.
# Exit codes: 0 built (or --check passed), 1 the build failed, 2 something needed is missing (torch, its headers,
# DJL's source, a tool) or an option is wrong.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)

die() { echo "build-jni: error: $1" >&2; exit "${2:-2}"; }
note() { echo "build-jni: $*" >&2; }

pom_property() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$REPO/pom.xml" | head -1; }
DJL_VERSION=$(pom_property djl.version)
BUNDLED_TORCH=$(pom_property pytorch.version)
[ -n "$DJL_VERSION" ] || die "cannot read <djl.version> from $REPO/pom.xml"

TORCH_ARG="" DJL_SRC_ARG="${DJL_SRC:-}" INSTALL_DIR="" BUILD_DIR="" JOBS="" CUDA_MODE=auto CONFIG_MODE=auto
CHECK_ONLY=false FORCE=false
while [ $# -gt 0 ]; do
  case "$1" in
    --torch) TORCH_ARG=${2:?--torch needs a path}; shift 2 ;;
    --torch=*) TORCH_ARG=${1#*=}; shift ;;
    --djl-src) DJL_SRC_ARG=${2:?--djl-src needs a directory or archive}; shift 2 ;;
    --djl-src=*) DJL_SRC_ARG=${1#*=}; shift ;;
    --install-dir) INSTALL_DIR=${2:?--install-dir needs a directory}; shift 2 ;;
    --install-dir=*) INSTALL_DIR=${1#*=}; shift ;;
    --build-dir) BUILD_DIR=${2:?--build-dir needs a directory}; shift 2 ;;
    --build-dir=*) BUILD_DIR=${1#*=}; shift ;;
    --jobs) JOBS=${2:?--jobs needs a number}; shift 2 ;;
    --jobs=*) JOBS=${1#*=}; shift ;;
    --cuda) CUDA_MODE=${2:?--cuda needs auto, on or off}; shift 2 ;;
    --cuda=*) CUDA_MODE=${1#*=}; shift ;;
    --torch-config) CONFIG_MODE=${2:?--torch-config needs auto, torch or shim}; shift 2 ;;
    --torch-config=*) CONFIG_MODE=${1#*=}; shift ;;
    --check) CHECK_ONLY=true; shift ;;
    --force) FORCE=true; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
case "$CUDA_MODE" in auto|on|off) ;; *) die "--cuda must be auto, on or off, got '$CUDA_MODE'" ;; esac
case "$CONFIG_MODE" in auto|torch|shim) ;; *) die "--torch-config must be auto, torch or shim, got '$CONFIG_MODE'" ;; esac
[ -z "$JOBS" ] && JOBS=$(nproc 2>/dev/null || echo 1)
[[ "$JOBS" =~ ^[1-9][0-9]*$ ]] || die "--jobs must be a positive number, got '$JOBS'"

# ---------------------------------------------------------------------------------------------------------------
# 1. The torch: its lib directory, version, CUDA build, headers and CMake config
# ---------------------------------------------------------------------------------------------------------------
if [ -z "$TORCH_ARG" ]; then
  IFS=: read -r -a entries <<<"${PYTORCH_LIBRARY_PATH:-}"
  for e in "${entries[@]}"; do
    if [ -n "$e" ] && [ -f "$e/libtorch.so" ]; then TORCH_ARG=$e; break; fi
  done
fi
if [ -z "$TORCH_ARG" ]; then
  for py in python3 /usr/bin/python3; do
    command -v "$py" >/dev/null 2>&1 || continue
    TORCH_ARG=$(timeout 60 "$py" -c 'import os, torch; print(os.path.dirname(torch.__file__))' 2>/dev/null || true)
    [ -n "$TORCH_ARG" ] && break
  done
fi
[ -n "$TORCH_ARG" ] || die "no torch found: PYTORCH_LIBRARY_PATH holds no libtorch.so and python3 has no torch module; \
give the torch to build against with --torch PATH (a pip install, an unzipped libtorch, a conda env)"
[ -e "$TORCH_ARG" ] || die "--torch $TORCH_ARG: no such file or directory"

LIB_DIR=""
for cand in "$TORCH_ARG" "$TORCH_ARG/lib" "$TORCH_ARG/torch/lib" "$TORCH_ARG/libtorch/lib" "$TORCH_ARG/lib/x86_64-linux-gnu"; do
  if [ -f "$cand" ] && [ "$(basename "$cand")" = libtorch.so ]; then LIB_DIR=$(dirname "$cand"); break; fi
  if [ -e "$cand/libtorch.so" ]; then LIB_DIR=$cand; break; fi
done
[ -n "$LIB_DIR" ] || die "no libtorch.so in $TORCH_ARG (nor in its lib/, torch/lib/ or libtorch/lib/): give --torch the \
directory of a torch install"
LIB_DIR=$(cd "$LIB_DIR" && pwd)
ROOT=$(cd "$LIB_DIR/.." && pwd)
SYSTEM=false   # a system library directory: /usr/lib, /usr/lib/x86_64-linux-gnu, /usr/local/lib, ...
[[ "$LIB_DIR" =~ ^(/usr(/local)?)?/lib(64|/[a-z0-9_]+-linux-gnu)?$ ]] && SYSTEM=true

KIND=libtorch
if [ -f "$ROOT/version.py" ] && [ -f "$ROOT/__init__.py" ]; then KIND=pip
elif [ -d "$ROOT/conda-meta" ]; then KIND=conda
elif $SYSTEM; then KIND=system
elif [ -f "$ROOT/build-version" ]; then KIND=libtorch-zip
fi
if [ "$KIND" = system ]; then PREFIX=/usr; [ "$LIB_DIR" = /usr/local/lib ] && PREFIX=/usr/local; else PREFIX=$ROOT; fi

HEADER=torch/csrc/api/include/torch/torch.h
INCLUDE_DIR="" LOOKED="$PREFIX/include"
[ "$ROOT" != "$PREFIX" ] && LOOKED="$LOOKED and $ROOT/include"
for inc in "$PREFIX/include" "$ROOT/include"; do
  if [ -f "$inc/$HEADER" ]; then INCLUDE_DIR=$inc; break; fi
done
if [ -z "$INCLUDE_DIR" ]; then
  case "$KIND:$LIB_DIR" in
    *:*/.djl.ai/*|*:*/pytorch/*-linux-x86_64) why="this is a libtorch DJL extracted or downloaded: libraries only, no headers" ;;
    pip:*) why="this pip torch has no include/ directory (some slimmed images strip it): reinstall the same torch wheel" ;;
    system:*) why="on Debian/Ubuntu the headers are in libtorch-dev (apt-get install libtorch-dev)" ;;
    *) why="an unzipped libtorch from pytorch.org has include/ next to lib/; a pip or conda torch has torch/include" ;;
  esac
  die "no torch headers found for the libtorch in $LIB_DIR (looked for $HEADER under $LOOKED): \
$why. The JNI library is compiled against the headers of the exact torch it will run with."
fi

TORCH_CONFIG_DIR=""
for d in "$PREFIX/share/cmake/Torch" "$ROOT/share/cmake/Torch" "$LIB_DIR/cmake/Torch" "$PREFIX/lib/cmake/Torch"; do
  if [ -f "$d/TorchConfig.cmake" ]; then TORCH_CONFIG_DIR=$d; break; fi
done

VERSION_H="$INCLUDE_DIR/torch/csrc/api/include/torch/version.h"
ver_part() { sed -n "s/^#define TORCH_VERSION_$1 \([0-9]*\).*/\1/p" "$VERSION_H" 2>/dev/null | head -1; }
TORCH_VERSION=""
if [ -f "$VERSION_H" ] && [ -n "$(ver_part MAJOR)" ]; then
  TORCH_VERSION="$(ver_part MAJOR).$(ver_part MINOR).$(ver_part PATCH)"
fi
FULL_VERSION=""
if [ -f "$ROOT/version.py" ]; then
  FULL_VERSION=$(sed -n "s/^__version__\(: [^=]*\)\{0,1\} = ['\"]\([^'\"]*\)['\"].*/\2/p" "$ROOT/version.py" | head -1)
elif [ -f "$ROOT/build-version" ]; then
  FULL_VERSION=$(head -1 "$ROOT/build-version")
fi
[ -z "$TORCH_VERSION" ] && TORCH_VERSION=${FULL_VERSION%%+*}
[ -n "$TORCH_VERSION" ] || die "cannot tell the version of the torch in $ROOT (no $VERSION_H, version.py or build-version)"
[ -z "$FULL_VERSION" ] && FULL_VERSION=$TORCH_VERSION

IS_CUDA=false CUDA_VERSION=""
if ls "$LIB_DIR"/libtorch_cuda*.so >/dev/null 2>&1; then
  IS_CUDA=true
  [ -f "$ROOT/version.py" ] && CUDA_VERSION=$(sed -n "s/^cuda\(: [^=]*\)\{0,1\} = ['\"]\([0-9.]*\)['\"].*/\2/p" "$ROOT/version.py" | head -1)
  if [ -z "$CUDA_VERSION" ] && [[ "$FULL_VERSION" =~ \+cu([0-9]+)([0-9])$ ]]; then
    CUDA_VERSION="${BASH_REMATCH[1]}.${BASH_REMATCH[2]}"
  fi
fi
if $IS_CUDA; then
  FLAVOR=cu$(echo "${CUDA_VERSION:-0.0}" | awk -F. '{printf "%d%d", $1, $2}')
  [ -z "$CUDA_VERSION" ] && FLAVOR=cu
else
  FLAVOR=cpu
fi

# the directories of the CUDA libraries a pip torch depends on, and the CUDA headers DJL's CUDA-only code includes
# (ATen/cuda/CUDAContext.h: the runtime, cuBLAS, cuSPARSE, cuSOLVER); pip ships each under nvidia/NAME/include
NVIDIA_DIR=$(cd "$ROOT/.." 2>/dev/null && pwd)/nvidia
CUDA_LIB_DIRS=() CUDA_INCLUDES=() CUDA_HEADERS_MISSING=()
if $IS_CUDA; then
  if [ -d "$NVIDIA_DIR" ]; then
    for d in "$NVIDIA_DIR"/*/lib; do [ -d "$d" ] && CUDA_LIB_DIRS+=("$d"); done
    for d in "$NVIDIA_DIR"/*/include; do [ -d "$d" ] && CUDA_INCLUDES+=("$d"); done
  fi
  for inc in "${CUDA_HOME:-/nonexistent}/include" "${CUDA_PATH:-/nonexistent}/include" /usr/local/cuda/include \
             "$PREFIX/include" "$PREFIX/targets/x86_64-linux/include"; do
    [ -d "$inc" ] && CUDA_INCLUDES+=("$inc")
  done
  for h in cuda_runtime_api.h cublas_v2.h cusparse.h cusolverDn.h; do
    found=false
    for inc in "${CUDA_INCLUDES[@]}"; do [ -f "$inc/$h" ] && found=true && break; done
    $found || CUDA_HEADERS_MISSING+=("$h")
  done
fi
CUDART_DIR=""
for d in "$LIB_DIR" "${CUDA_LIB_DIRS[@]}"; do
  if ls "$d"/libcudart.so* >/dev/null 2>&1; then CUDART_DIR=$d; break; fi
done

case "$CUDA_MODE" in
  auto) if $IS_CUDA && [ ${#CUDA_HEADERS_MISSING[@]} -eq 0 ]; then USE_CUDA=true; else USE_CUDA=false; fi ;;
  on) $IS_CUDA || die "--cuda on, but the torch in $LIB_DIR is a CPU build (no libtorch_cuda.so)"
      [ ${#CUDA_HEADERS_MISSING[@]} -eq 0 ] || die "--cuda on needs CUDA headers that are not found \
(${CUDA_HEADERS_MISSING[*]}) in $NVIDIA_DIR/*/include, \$CUDA_HOME/include or /usr/local/cuda/include"
      USE_CUDA=true ;;
  off) USE_CUDA=false ;;
esac

# ---------------------------------------------------------------------------------------------------------------
# 2. DJL's source for the DJL version in pom.xml
# ---------------------------------------------------------------------------------------------------------------
[ -z "$BUILD_DIR" ] && BUILD_DIR="${TMPDIR:-/tmp}/alpharl-jni-build-$FULL_VERSION"
mkdir -p "$BUILD_DIR" || die "cannot create the build directory $BUILD_DIR"
BUILD_DIR=$(cd "$BUILD_DIR" && pwd)
DJL_URL="https://github.com/deepjavalibrary/djl/archive/refs/tags/v$DJL_VERSION.tar.gz"

unpack() { # archive -> directory that holds engines/ and api/
  local archive=$1 out="$BUILD_DIR/djl-src-unpacked"
  rm -rf "$out" && mkdir -p "$out"
  case "$archive" in
    *.zip) command -v unzip >/dev/null || die "unzip is needed to unpack $archive (apt-get install unzip)"
           unzip -q "$archive" -d "$out" || die "cannot unpack $archive" ;;
    *) tar -xf "$archive" -C "$out" || die "cannot unpack $archive (expected a .tar.gz, .tgz or .zip of DJL's source)" ;;
  esac
  local top
  top=$(find "$out" -maxdepth 3 -type d -path '*/engines/pytorch' | head -1)
  [ -n "$top" ] || die "$archive does not contain DJL's source (no engines/pytorch inside)"
  dirname "$(dirname "$top")"
}

if [ -n "$DJL_SRC_ARG" ]; then
  [ -e "$DJL_SRC_ARG" ] || die "--djl-src $DJL_SRC_ARG: no such file or directory"
  if [ -f "$DJL_SRC_ARG" ]; then DJL_SRC=$(unpack "$DJL_SRC_ARG"); else DJL_SRC=$(cd "$DJL_SRC_ARG" && pwd); fi
elif [ -d "$BUILD_DIR/djl-src-unpacked" ] && [ -f "$BUILD_DIR/djl-$DJL_VERSION.tar.gz" ]; then
  DJL_SRC=$(unpack "$BUILD_DIR/djl-$DJL_VERSION.tar.gz")
else
  command -v curl >/dev/null || die "no DJL source given and no curl to download it: pass --djl-src (see below)"
  note "downloading DJL $DJL_VERSION's source from $DJL_URL"
  if ! curl -fsSL --connect-timeout 15 --max-time 600 -o "$BUILD_DIR/djl-$DJL_VERSION.tar.gz.part" "$DJL_URL"; then
    rm -f "$BUILD_DIR/djl-$DJL_VERSION.tar.gz.part"
    die "cannot download DJL $DJL_VERSION's source from $DJL_URL (no network?). On a machine with network run
  curl -fLO $DJL_URL
copy v$DJL_VERSION.tar.gz here and run again with --djl-src v$DJL_VERSION.tar.gz (or give a checkout of tag v$DJL_VERSION)"
  fi
  mv "$BUILD_DIR/djl-$DJL_VERSION.tar.gz.part" "$BUILD_DIR/djl-$DJL_VERSION.tar.gz"
  DJL_SRC=$(unpack "$BUILD_DIR/djl-$DJL_VERSION.tar.gz")
fi

NATIVE_SRC="$DJL_SRC/engines/pytorch/pytorch-native"
JNI_JAVA="$DJL_SRC/engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni/PyTorchLibrary.java"
UTILS_H="$DJL_SRC/api/src/main/native/djl/utils.h"
for f in "$NATIVE_SRC/CMakeLists.txt" "$NATIVE_SRC/src/main/native" "$JNI_JAVA" "$UTILS_H"; do
  [ -e "$f" ] || die "$DJL_SRC is not DJL's source tree: ${f#"$DJL_SRC"/} is missing"
done
SRC_VERSION=$(sed -n 's/^djl = "\(.*\)"/\1/p' "$DJL_SRC/gradle/libs.versions.toml" 2>/dev/null | head -1)
if [ "$SRC_VERSION" != "$DJL_VERSION" ]; then
  msg="the DJL source in $DJL_SRC is version ${SRC_VERSION:-unknown} (gradle/libs.versions.toml), pom.xml uses DJL $DJL_VERSION: \
its JNI functions must match the pytorch-engine $DJL_VERSION jar in trainer.jar"
  $FORCE || die "$msg (--force builds it anyway)"
  note "warning: $msg (--force)"
fi

# ---------------------------------------------------------------------------------------------------------------
# 3. Tools
# ---------------------------------------------------------------------------------------------------------------
missing=()
command -v cmake >/dev/null || missing+=("cmake (apt-get install cmake)")
command -v c++ >/dev/null || command -v g++ >/dev/null || missing+=("a C++17 compiler (apt-get install g++)")
command -v make >/dev/null || missing+=("make (apt-get install make)")
JAVAC=$(command -v javac || true)
[ -z "$JAVAC" ] && [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] && JAVAC="$JAVA_HOME/bin/javac"
[ -n "$JAVAC" ] || missing+=("a JDK with javac and jni.h (apt-get install openjdk-17-jdk-headless)")
[ ${#missing[@]} -eq 0 ] || die "missing tools: $(printf '%s; ' "${missing[@]}")"
if [ -z "${JAVA_HOME:-}" ] || [ ! -f "$JAVA_HOME/include/jni.h" ]; then
  JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$JAVAC")")")
  export JAVA_HOME
fi
[ -f "$JAVA_HOME/include/jni.h" ] || die "no jni.h under JAVA_HOME=$JAVA_HOME: install a JDK (openjdk-17-jdk-headless) or set JAVA_HOME"

have_toolkit=false
if command -v nvcc >/dev/null || [ -x "${CUDA_HOME:-/nonexistent}/bin/nvcc" ] || [ -x /usr/local/cuda/bin/nvcc ]; then
  have_toolkit=true
fi
if [ "$CONFIG_MODE" = auto ]; then
  if [ -z "$TORCH_CONFIG_DIR" ]; then CONFIG_MODE=shim
  elif $IS_CUDA && ! $have_toolkit; then CONFIG_MODE=shim   # torch's own config would stop at find_package(CUDAToolkit)
  else CONFIG_MODE=torch-then-shim
  fi
fi
[ "$CONFIG_MODE" = torch ] && [ -z "$TORCH_CONFIG_DIR" ] && die "--torch-config torch, but no TorchConfig.cmake in \
$PREFIX/share/cmake/Torch or $LIB_DIR/cmake/Torch"

# ---------------------------------------------------------------------------------------------------------------
# 4. Where it goes
# ---------------------------------------------------------------------------------------------------------------
JNI_NAME="$DJL_VERSION-libdjl_torch.so"      # DJL $DJL_VERSION looks for this name next to libtorch.so first
DEDICATED=true
if $SYSTEM || [ "$KIND" = conda ] || ls -d "$LIB_DIR"/python3* >/dev/null 2>&1; then
  DEDICATED=false    # DJL loads every library under PYTORCH_LIBRARY_PATH: point it at a directory of links instead
fi
CACHE_ROOT=${ENGINE_CACHE_DIR:-${DJL_CACHE_DIR:-$HOME/.djl.ai}}
# next: JNI next to libtorch.so; cache: JNI in DJL's cache directory for this version and flavour (found there when
# PYTORCH_VERSION and PYTORCH_FLAVOR are set exactly); links: a directory of links to torch's libraries + the JNI
if [ -n "$INSTALL_DIR" ]; then
  INSTALL_DIR=$(realpath -m "$INSTALL_DIR")
  if [ "$INSTALL_DIR" = "$LIB_DIR" ]; then MODE=next; else MODE=links; fi
elif ! $DEDICATED; then
  MODE=links INSTALL_DIR="$CACHE_ROOT/pytorch/local-$FULL_VERSION-$FLAVOR-linux-x86_64"
elif [ -w "$LIB_DIR" ]; then
  MODE=next INSTALL_DIR=$LIB_DIR
else
  MODE=cache INSTALL_DIR="$CACHE_ROOT/pytorch/$TORCH_VERSION-$FLAVOR-linux-x86_64"
fi
existing=$INSTALL_DIR
while [ ! -e "$existing" ]; do existing=$(dirname "$existing"); done
[ -w "$existing" ] || die "cannot write to $existing (for $INSTALL_DIR): run as its owner, or give another with --install-dir"
if [ "$MODE" = next ]; then RUN_PATH=$LIB_DIR; elif [ "$MODE" = cache ]; then RUN_PATH=$LIB_DIR; else RUN_PATH=$INSTALL_DIR; fi

PT_VERSION_DEF=""
case "$TORCH_VERSION" in 1.13.*|2.0.*|2.1.*) PT_VERSION_DEF=V1_13_X ;; esac   # as DJL's build.sh does
case "$TORCH_VERSION" in
  1.*|2.[0-6].*) COMPAT="older than $BUNDLED_TORCH: DJL $DJL_VERSION's JNI may use newer torch APIs; the compiler will tell" ;;
  "$BUNDLED_TORCH") COMPAT="the version DJL $DJL_VERSION's JNI is released for (trainer.jar already carries a JNI for it: \
a build is only needed for a CUDA flavour other than cu128, or a different C++ ABI)" ;;
  *) COMPAT="newer than $BUNDLED_TORCH: not tried here with DJL $DJL_VERSION's JNI sources; the compiler will tell" ;;
esac

cat >&2 <<EOF
build-jni: torch        $FULL_VERSION ($KIND) in $LIB_DIR: $COMPAT
build-jni: CUDA         $($IS_CUDA && echo "yes, CUDA ${CUDA_VERSION:-?} (flavour $FLAVOR)" || echo "no (CPU build of torch)")
build-jni: headers      $INCLUDE_DIR
build-jni: CMake config $([ "$CONFIG_MODE" = shim ] && echo "minimal config written here (--torch-config shim)" || echo "$TORCH_CONFIG_DIR/TorchConfig.cmake$([ "$CONFIG_MODE" = torch-then-shim ] && echo ', a minimal one if it fails')")
build-jni: USE_CUDA     $USE_CUDA$($IS_CUDA && ! $USE_CUDA && echo " (CUDA headers not found: ${CUDA_HEADERS_MISSING[*]:-(--cuda off)}; DJL's separate inference stream and emptyCache are left out, training on the GPU is unaffected)")
build-jni: DJL source   $DJL_SRC (DJL ${SRC_VERSION:-?})
build-jni: build dir    $BUILD_DIR, $JOBS job(s)
build-jni: installs     $INSTALL_DIR/$JNI_NAME$([ "$MODE" = links ] && echo " (with links to torch's libraries: DJL loads every library in PYTORCH_LIBRARY_PATH)")$([ "$MODE" = cache ] && echo " (DJL's cache: $LIB_DIR is not writable)")
EOF
if $CHECK_ONLY; then note "--check: all prerequisites found; nothing compiled"; exit 0; fi

# ---------------------------------------------------------------------------------------------------------------
# 5. Build: javac -h for the JNI header, CMake, make
# ---------------------------------------------------------------------------------------------------------------
START=$(date +%s)
WORK="$BUILD_DIR/work"
rm -rf "$WORK" && mkdir -p "$WORK/djl/engines/pytorch" "$WORK/djl/api/src/main" "$WORK/classes"
cp -r "$NATIVE_SRC" "$WORK/djl/engines/pytorch/pytorch-native"
cp -r "$DJL_SRC/api/src/main/native" "$WORK/djl/api/src/main/native"
SRC="$WORK/djl/engines/pytorch/pytorch-native"
rm -rf "$SRC/build" && mkdir -p "$SRC/build/include"
"$JAVAC" -h "$SRC/build/include" -d "$WORK/classes" "$JNI_JAVA" || die "javac -h failed on $JNI_JAVA" 1

write_shim() { # a TorchConfig.cmake that only knows headers and libraries: no CUDA toolkit, no Caffe2 config
  local shim="$WORK/torch-shim" abi=1 libs=() l
  mkdir -p "$shim"
  if [ -n "$TORCH_CONFIG_DIR" ] && grep -q 'TORCH_CXX_FLAGS "-D_GLIBCXX_USE_CXX11_ABI=' "$TORCH_CONFIG_DIR/TorchConfig.cmake"; then
    abi=$(sed -n 's/.*TORCH_CXX_FLAGS "-D_GLIBCXX_USE_CXX11_ABI=\([01]\)".*/\1/p' "$TORCH_CONFIG_DIR/TorchConfig.cmake" | head -1)
  elif command -v nm >/dev/null && nm -D "$LIB_DIR/libc10.so" >/dev/null 2>&1; then
    nm -D "$LIB_DIR/libc10.so" | grep -q '__cxx11' || abi=0   # the old ABI has no std::__cxx11 symbols
  else
    case "$TORCH_VERSION" in 1.*|2.[0-6].*) abi=0 ;; esac      # pip wheels use the new ABI from 2.7 on
  fi
  for l in torch torch_cpu c10; do libs+=("$LIB_DIR/lib$l.so"); done
  {
    echo "# written by bench/gpu/build-jni.sh: torch $FULL_VERSION in $LIB_DIR"
    echo "set(TORCH_FOUND TRUE)"
    echo "set(TORCH_INSTALL_PREFIX \"$PREFIX\")"
    echo "set(TORCH_INCLUDE_DIRS \"$INCLUDE_DIR\" \"$INCLUDE_DIR/torch/csrc/api/include\"$($USE_CUDA && printf ' "%s"' "${CUDA_INCLUDES[@]}"))"
    echo "set(TORCH_CXX_FLAGS \"-D_GLIBCXX_USE_CXX11_ABI=$abi\")"
    echo "set(TORCH_LIBRARIES ${libs[*]})"
    if $IS_CUDA; then
      # linked even without USE_CUDA, so that loading the JNI library loads torch's CUDA kernels
      for l in torch_cuda c10_cuda; do
        [ -f "$LIB_DIR/lib$l.so" ] && echo "list(APPEND TORCH_LIBRARIES \"-Wl,--no-as-needed,$LIB_DIR/lib$l.so,--as-needed\")"
      done
    fi
    echo "include_directories(\${TORCH_INCLUDE_DIRS})"
  } > "$shim/TorchConfig.cmake"
  echo "$shim"
}

configure() { # $1: torch config dir
  local defs=(-DCMAKE_BUILD_TYPE=Release -DTorch_DIR="$1" -DCMAKE_PREFIX_PATH="$PREFIX")
  [ -n "$PT_VERSION_DEF" ] && defs+=(-DPT_VERSION="$PT_VERSION_DEF")
  $USE_CUDA && defs+=(-DUSE_CUDA=1)
  rm -rf "$WORK/cmake"
  cmake -S "$SRC" -B "$WORK/cmake" "${defs[@]}" > "$WORK/configure.log" 2>&1
}

LOG="$BUILD_DIR/build.log"
case "$CONFIG_MODE" in
  torch) configure "$TORCH_CONFIG_DIR" || { cat "$WORK/configure.log" >&2; die "CMake could not configure with $TORCH_CONFIG_DIR/TorchConfig.cmake (log above); --torch-config shim avoids torch's CUDA toolkit checks" 1; } ;;
  shim) configure "$(write_shim)" || { cat "$WORK/configure.log" >&2; die "CMake could not configure (log above)" 1; } ;;
  torch-then-shim)
    if ! configure "$TORCH_CONFIG_DIR"; then
      reason=$(grep -m1 -iE 'error|could not|cannot' "$WORK/configure.log" || true)
      note "torch's TorchConfig.cmake failed (${reason:-see $WORK/configure.log}); using a minimal config instead"
      cp "$WORK/configure.log" "$BUILD_DIR/configure-torch-config.log"
      configure "$(write_shim)" || { cat "$WORK/configure.log" >&2; die "CMake could not configure (log above)" 1; }
    fi ;;
esac
if $IS_CUDA; then
  # as DJL's build.sh: no hard link to a toolkit's libcudart/libnvrtc; torch's own CUDA libraries provide them
  sed -i -r 's#[^ ]*/lib(cudart|nvrtc)\.so[^ ]*##g' "$WORK/cmake/CMakeFiles/djl_torch.dir/link.txt"
fi
note "compiling (log: $LOG) ..."
if ! cmake --build "$WORK/cmake" -- -j "$JOBS" > "$LOG" 2>&1; then
  first=$(grep -m3 -E 'error:|Error [0-9]|undefined reference' "$LOG" || true)
  die "the compile failed against torch $FULL_VERSION after $(( $(date +%s) - START )) s. First errors:
$first
Full log: $LOG. DJL $DJL_VERSION's JNI is written for libtorch $BUNDLED_TORCH; torch $TORCH_VERSION is $COMPAT." 1
fi
BUILT="$WORK/cmake/libdjl_torch.so"
[ -f "$BUILT" ] || die "the build finished without producing libdjl_torch.so (see $LOG)" 1
SECONDS_TAKEN=$(( $(date +%s) - START ))

# the library must define every native method of DJL's PyTorchLibrary
expected=$(grep -cE '^\s*native ' "$JNI_JAVA" || true)
defined=$(nm -D --defined-only "$BUILT" 2>/dev/null | grep -c ' Java_ai_djl_pytorch_jni_PyTorchLibrary_' || true)
if command -v nm >/dev/null && [ "$defined" -lt "$expected" ]; then
  die "the built library defines $defined of PyTorchLibrary's $expected native methods" 1
fi
unresolved=$(LD_LIBRARY_PATH="$LIB_DIR$(printf ':%s' "${CUDA_LIB_DIRS[@]}")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" ldd "$BUILT" 2>/dev/null | grep 'not found' || true)
[ -n "$unresolved" ] && note "warning: libraries the JNI library needs and the loader cannot find: $unresolved"

# ---------------------------------------------------------------------------------------------------------------
# 6. Install and say how to run
# ---------------------------------------------------------------------------------------------------------------
mkdir -p "$INSTALL_DIR" || die "cannot create the install directory $INSTALL_DIR" 1
if [ "$MODE" = links ]; then
  for l in torch torch_cpu c10 torch_cuda c10_cuda torch_cuda_linalg caffe2_nvrtc torch_global_deps; do
    [ -e "$LIB_DIR/lib$l.so" ] && ln -sfn "$LIB_DIR/lib$l.so" "$INSTALL_DIR/lib$l.so"
  done
fi
cp "$BUILT" "$INSTALL_DIR/$JNI_NAME.part" && mv "$INSTALL_DIR/$JNI_NAME.part" "$INSTALL_DIR/$JNI_NAME"
note "built in $SECONDS_TAKEN s; installed $INSTALL_DIR/$JNI_NAME"

LD_DIRS=("${CUDA_LIB_DIRS[@]}")
[ "$MODE" = links ] && LD_DIRS=("$LIB_DIR" "${LD_DIRS[@]}")   # torch's own dependencies, found next to it before
RUN_FLAVOR=$FLAVOR
[ "$RUN_FLAVOR" = cu ] && RUN_FLAVOR=cu000   # any name with "cu": DJL then loads libtorch_cuda.so
{
  echo "# run trainer.jar with the torch $FULL_VERSION in $LIB_DIR:"
  echo "export PYTORCH_LIBRARY_PATH=$RUN_PATH"
  echo "export PYTORCH_VERSION=$TORCH_VERSION PYTORCH_FLAVOR=$RUN_FLAVOR"
  if [ ${#LD_DIRS[@]} -gt 0 ]; then
    echo "export LD_LIBRARY_PATH=$(IFS=:; echo "${LD_DIRS[*]}")\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
  fi
  if [ -n "$CUDART_DIR" ]; then
    echo "export JAVA_TOOL_OPTIONS=\"-Djna.library.path=$CUDART_DIR\${JAVA_TOOL_OPTIONS:+ \$JAVA_TOOL_OPTIONS}\"   # DJL counts GPUs through libcudart"
  fi
  echo "java -jar trainer/target/trainer.jar doctor      # then: bench/gpu-check.sh"
} | tee "$BUILD_DIR/env.sh"
