# Turns every file under WEB_DIR into a byte array of the generated C++ source OUTPUT, with a
# table of {path, data, size} that serve/web_assets.cpp looks files up in.
#   cmake -DWEB_DIR=host_example/web -DOUTPUT=web_assets_data.cpp -P embed_web_assets.cmake
file(GLOB_RECURSE files RELATIVE ${WEB_DIR} ${WEB_DIR}/*)
list(SORT files)
set(arrays "")
set(table "")
set(index 0)
foreach(file ${files})
  file(READ ${WEB_DIR}/${file} hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
  string(APPEND arrays "const unsigned char asset_${index}[] = {\n${bytes}};\n")
  string(APPEND table "    {\"/${file}\", asset_${index}, sizeof asset_${index}},\n")
  math(EXPR index "${index} + 1")
endforeach()
file(WRITE ${OUTPUT}
"// Generated from host_example/web/ by host_example/embed_web_assets.cmake; do not edit.
#include \"serve/web_assets.h\"

namespace fthost {

namespace {
${arrays}}  // namespace

extern const WebAsset web_assets[] = {
${table}};
extern const size_t web_asset_count = ${index};

}  // namespace fthost
")
