#!/usr/bin/env bash
# System packages the site, browser and LaTeX tests need, from Debian 12's archive:
#   chromium         headless browser that Playwright drives (never `playwright install`),
#                    fonts-dejavu-core so its screenshots show the page's text
#   texlive-*        pdflatex with amsmath, geometry, booktabs, longtable (latex-base,
#                    latex-recommended), T1 fonts (fonts-recommended), lmodern, and tikz
#                    for the pages' pictures (texlive-pictures)
#   poppler-utils    pdftoppm, to turn a PDF page into a PNG to look at
# Idempotent: when every package is already installed it returns at once.
set -euo pipefail
packages=(chromium fonts-dejavu-core texlive-latex-base texlive-latex-recommended texlive-fonts-recommended
          texlive-pictures lmodern poppler-utils)
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "system-deps: installing ${missing[*]}" >&2
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
