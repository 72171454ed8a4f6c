# shellcheck shell=bash
# ensure_venv REQUIREMENTS...: makes .venv (Python 3.11 to 3.14) and installs the hashed lock
# files named into it; ensure_rust_toolchain: the pinned Rust toolchain under its name. Source
# it from the repository root; needs bash.
#
# A .venv left broken (by a failed `python3 -m venv`, or a Python upgraded underneath it) is
# made again rather than half-used.

venv=.venv

# found_python PROGRAM: its version, or why there is none.
found_python() {
  if command -v "$1" >/dev/null; then "$1" --version 2>&1; else echo "no program $1"; fi
}

ensure_venv() {
  local python=${PYTHON:-python3}
  if ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
    if [ -e "$venv" ]; then
      echo "$venv is incomplete (no working pip): making it again"
      rm -rf "$venv"
    fi
    if ! "$python" -c 'import sys; sys.exit(not ((3, 11) <= sys.version_info[:2] < (3, 15)))' 2>/dev/null; then
      echo "error: these scripts need Python 3.11 to 3.14 as $python (tomllib needs 3.11;" \
        "cfn-lint supports up to 3.14); found: $(found_python "$python")." \
        "Set PYTHON=/path/to/python3.12 to choose another." >&2
      return 1
    fi
    if ! "$python" -m venv "$venv"; then
      rm -rf "$venv"
      echo "error: '$python -m venv' failed. On Debian or Ubuntu: sudo apt-get install python3-venv" >&2
      return 1
    fi
  fi
  local requirements
  # --no-compile: Python compiles a module when it is first imported, so byte-compiling every
  # file of every package (botocore and the SAM CLI hold thousands) at install is wasted work.
  for requirements in "$@"; do
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes \
      --no-compile -r "$requirements"
  done
}

# ensure_rust_toolchain: the toolchain rust-toolchain.toml pins, under its own name. Where rustup
# holds that very version as "stable" only (a machine that cannot fetch another toolchain),
# the pinned name is made to point at it, as rustup would name it; otherwise rustup installs
# the pinned one itself at the first cargo command.
ensure_rust_toolchain() {
  local pinned home
  pinned=$(sed -n 's/^channel = "\(.*\)"$/\1/p' rust-toolchain.toml)
  command -v rustup >/dev/null || return 0
  rustup toolchain list | grep -q "^$pinned-" && return 0
  if rustc +stable --version 2>/dev/null | grep -q "^rustc $pinned "; then
    home=${RUSTUP_HOME:-$HOME/.rustup}
    ln -s "$home/toolchains/stable-$(rustc +stable -vV | sed -n 's/^host: //p')" \
      "$home/toolchains/$pinned-$(rustc +stable -vV | sed -n 's/^host: //p')"
    echo "Rust $pinned: rustup's stable toolchain is that version; named it $pinned"
  fi
}
