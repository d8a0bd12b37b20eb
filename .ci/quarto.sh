# Sourced by .ci/run and `make bench`: puts a real Quarto on PATH when none is there.
# A real Quarto for the Quarto end-to-end tests, when none is on PATH: the offline installer
# beside the project (../shared/tools/quarto, docs/quarto.md), installed once into a cache
# folder outside the checkout and reused. When an installer is there, the Quarto tests must
# run: if the install fails, CI says so in one line and those tests fail instead of skipping.
if ! command -v quarto >/dev/null && [ -z "${QUARTO_PATH:-}" ]; then
  installer=""
  origin=$(git config --get remote.origin.url 2>/dev/null || true)
  for candidate in "${COOPREPORT_QUARTO_INSTALLER:-}" ../shared/tools/quarto/install.sh \
                   ${origin:+"$(dirname "$origin")/shared/tools/quarto/install.sh"}; do
    if [ -n "$candidate" ] && [ -f "$candidate" ]; then installer=$candidate; break; fi
  done
  if [ -n "$installer" ]; then
    export COOPREPORT_REQUIRE_QUARTO=1
    cache="${COOPREPORT_QUARTO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/coopreport/quarto}"
    if ! "$cache/bin/quarto" --version >/dev/null 2>&1; then
      echo "ci: installing Quarto from $installer into $cache"
      log=$(mktemp)
      if ! QUARTO_INSTALL_NO_SMOKE=1 bash "$installer" "$cache" >"$log" 2>&1; then
        tail -n 5 "$log"
        echo "ci: the Quarto install failed; the Quarto end-to-end tests will fail"
      fi
    fi
    if "$cache/bin/quarto" --version >/dev/null 2>&1; then
      export PATH="$cache/bin:$PATH"
      echo "ci: Quarto $(quarto --version) from $cache"
    fi
  fi
fi

