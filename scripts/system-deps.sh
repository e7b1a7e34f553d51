#!/usr/bin/env bash
# System packages govreports uses (Debian): poppler-utils (pdftotext, for the parse benchmark),
# antiword (legacy .doc text), poppler-data (CJK maps for pdftotext). Idempotent: installs only what is missing.
set -euo pipefail
need=()
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v antiword >/dev/null 2>&1 || need+=(antiword)
# CJK character maps: without them pdftotext prints nothing for PDFs with non-embedded Chinese fonts
[ -d /usr/share/poppler/cMap ] || need+=(poppler-data)
# LibreOffice: renders the legacy .doc reports (crawler.testbed.reportgen.render_doc, make_doc_fixtures)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
# OpenCV (used by RapidOCR, the OCR of scanned reports) loads libGL and GLib at import
[ -e /lib/x86_64-linux-gnu/libGL.so.1 ] || [ -e /usr/lib/x86_64-linux-gnu/libGL.so.1 ] || ldconfig -p 2>/dev/null | grep -q "libGL.so.1" || need+=(libgl1)
ldconfig -p 2>/dev/null | grep -q "libglib-2.0.so.0" || need+=(libglib2.0-0)
# Headless Chromium for the web app's browser tests (driven by Playwright), and a small CJK
# font so its screenshots show Chinese instead of empty boxes
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# The crawl renders script-built lists in the old headless shell: half the memory of chromium
command -v chromium-headless-shell >/dev/null 2>&1 || need+=(chromium-headless-shell)
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != "0" ] && ! command -v sudo >/dev/null 2>&1; then
    echo "system-deps: please install: ${need[*]} (apt-get install ${need[*]})" >&2
    exit 0
  fi
  SUDO=""; [ "$(id -u)" = "0" ] || SUDO="sudo"
  echo "system-deps: installing ${need[*]}" >&2
  $SUDO apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
