#!/usr/bin/env bash
# Install everything the kiosk needs on a fresh Debian/Ubuntu machine: the system packages
# (speech, audio, OpenGL/X libraries, the virtual screen used by the tests) and a Python
# virtual environment with the project and its test tools. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
SYSTEM_PACKAGES=(
  espeak-ng libespeak-ng1          # offline text-to-speech used by pyttsx3
  libportaudio2                    # microphone and speaker access (sounddevice)
  libgl1 libgl1-mesa-dri libegl1   # OpenGL for Kivy's window (software rendering works)
  libx11-6 libxext6 libxrender1 libxi6 libxrandr2 libxcursor1 libxss1 libxxf86vm1 libmtdev1
  xvfb xauth                       # virtual screen for the tests and screenshots
  x11-utils                        # xwininfo: the fullscreen test reads the window's geometry
  sox                              # measures and converts speech audio in tests
  flite                            # other voices reading aloud, for bench/follow.py
  fonts-opendyslexic               # OpenDyslexic, the second typeface offered in Settings
  python3-venv python3-pip         # virtual environment for the Python packages
)

missing=()
for package in "${SYSTEM_PACKAGES[@]}"; do
  [[ "$package" == \#* ]] && continue
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    as_root=()
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    as_root=(sudo)
  else
    echo "The kiosk needs these system packages, which are not installed:" >&2
    echo "  ${missing[*]}" >&2
    echo "Install them as an administrator, then run this command again:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing system packages: ${missing[*]}"
  "${as_root[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

pick_python() {
  for candidate in ${PYTHON:-} python3.11 python3.12 python3; do
    if command -v "$candidate" >/dev/null &&
       "$candidate" -c 'import sys; sys.exit(not (3, 11) <= sys.version_info < (3, 13))'; then
      echo "$candidate"; return 0
    fi
  done
  echo "The kiosk needs Python 3.11 or 3.12; install python3.11 and run this again." >&2
  return 1
}

if [[ ! -x "$VENV/bin/python" ]]; then
  "$(pick_python)" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet --editable '.[test]'
echo "Set-up complete: $VENV"
