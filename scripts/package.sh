#!/usr/bin/env bash
# Builds the deployable artifacts: `sam build` with the rust-cargolambda build method, which
# cross-compiles the functions for arm64 (provided.al2023) with cargo-lambda and zig. Installs
# its tools into .venv first (pinned, with hashes); prints the time taken and each function's size.
#
#   bash scripts/package.sh [--verify] [SAM BUILD ARGS...]
#
# --verify then runs each built arm64 `bootstrap`, unchanged, under qemu-aarch64 (Debian's
# qemu-user, with libc6-arm64-cross as the arm64 C library; installed with apt-get when
# missing) through the Lambda Runtime API stand-in, against moto, feeds it every event of its
# function from events/ and checks the answers and the logs (testkit's verify-artifacts):
# the artifact that gets deployed is the one that is tested.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
trap cleanup EXIT

verify=false
build_args=()
for arg in "$@"; do
  case $arg in
    --verify) verify=true ;;
    *) build_args+=("$arg") ;;
  esac
done

echo "==> cargo-lambda, zig, the SAM CLI and moto into $venv (scripts/requirements-package.txt)"
ensure_venv scripts/requirements-package.txt
ensure_rust_toolchain
export PATH="$PWD/$venv/bin:$PATH" SAM_CLI_TELEMETRY=0

start=$(date +%s)
if [ "${#build_args[@]}" -eq 0 ]; then
  # sam build runs `cargo lambda build --release --arm64 --bin NAME` once per function, one
  # after the other, and each waits for its own link (fat LTO, one codegen unit: a core for a
  # minute). The same command with every binary of the template in one cargo run links them
  # side by side, and sam build's runs then find each one built (the same flags, so the same
  # fingerprints): about half the time on 2 cores.
  mapfile -t binaries < <(sed -n 's/^ *Binary: *//p' template.yaml)
  echo "==> cargo lambda build: the ${#binaries[@]} functions of template.yaml in one cargo run (release profile, arm64; the first build compiles the AWS SDK: minutes)"
  cargo lambda build --release --arm64 "${binaries[@]/#/--bin=}"
fi
echo "==> sam build"
sam build "${build_args[@]}"
echo "==> built in $(( $(date +%s) - start )) s; artifacts in .aws-sam/build:"
for dir in .aws-sam/build/*Function; do
  printf '    %-16s bootstrap %s bytes\n' "$(basename "$dir")" "$(stat -c %s "$dir/bootstrap")"
done
# The deploy workflow's check, on this very build: what it deploys must be what this commit's
# template.yaml declares.
digests=$("$venv/bin/python" scripts/check_artifact.py digests)
"$venv/bin/python" scripts/check_artifact.py check --digests "${digests#bootstraps=}"

$verify || exit 0

sysroot=/usr/aarch64-linux-gnu
if ! command -v qemu-aarch64 >/dev/null || [ ! -e "$sysroot/lib/ld-linux-aarch64.so.1" ]; then
  echo "==> qemu-user and libc6-arm64-cross (apt-get)"
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q qemu-user libc6-arm64-cross
fi

echo "==> verifying the arm64 artifacts under qemu-aarch64, against moto"
start=$(date +%s)
start_moto
cargo run --locked --quiet -p testkit --bin verify-artifacts -- \
  --runner "qemu-aarch64 -L $sysroot" .aws-sam/build
echo "==> verified in $(( $(date +%s) - start )) s"
