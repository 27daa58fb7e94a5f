# Writes OUT: a C file defining NAME[] (the bytes of IN, NUL-terminated) and NAME_len.
# Run by the build (add_custom_command), so editing style.css rebuilds the program.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" hexlen)
math(EXPR len "${hexlen} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
file(WRITE ${OUT}.tmp
     "/* Generated from ${IN} by web/EmbedFile.cmake; do not edit. */\n#include <stddef.h>\n"
     "extern const char ${NAME}[];\nextern const size_t ${NAME}_len;\n"
     "const char ${NAME}[] = {${hex}0x00};\nconst size_t ${NAME}_len = ${len};\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUT}.tmp ${OUT})
