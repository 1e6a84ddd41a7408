# Turn a file into a NUL-terminated C char array (cmake -P, no xxd needed).
file(READ ${INPUT} hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "(char)0x\\1," bytes "${hex}")
get_filename_component(name ${INPUT} NAME)
file(WRITE ${OUTPUT}
  "/* Generated from ${name} by cmake/Embed.cmake; do not edit. */\n"
  "extern const char ${SYMBOL}[];\n"
  "const char ${SYMBOL}[] = {${bytes}0};\n")
