# Writes OUT, the page (HTML) with its modules block (from "<!-- modules" to
# "<!-- /modules -->") replaced by BUNDLE, esbuild's bundle of web/ui.js and its imports, as
# one inline module script: the page then starts without asking for seven files (side by
# side, the first coarse picture at home 182 -> 149 ms from navigation, the view complete
# 355 -> 317 ms). Run at build time (cmake -P).
file(READ "${HTML}" html)
file(READ "${BUNDLE}" js)
string(TOLOWER "${js}" lower)
string(FIND "${lower}" "</script" closing)
if(NOT closing EQUAL -1)
  message(FATAL_ERROR "inline_bundle: the bundle holds '</script' and cannot be inlined")
endif()
string(FIND "${html}" "<!-- modules" from)
string(FIND "${html}" "<!-- /modules -->" to)
if(from EQUAL -1 OR to EQUAL -1 OR to LESS from)
  message(FATAL_ERROR "inline_bundle: ${HTML} has no <!-- modules --> block")
endif()
string(LENGTH "<!-- /modules -->" mark)
math(EXPR rest "${to} + ${mark}")
string(SUBSTRING "${html}" 0 ${from} head)
string(SUBSTRING "${html}" ${rest} -1 tail)
file(WRITE "${OUT}.tmp" "${head}<script type=\"module\">\n${js}</script>${tail}")
file(RENAME "${OUT}.tmp" "${OUT}")
