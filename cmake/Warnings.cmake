# The warning set, warnings-as-errors and the sanitizers, per target.
function(gleaner_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes
    -Wpointer-arith -Wvla -Wundef -Wwrite-strings -Wno-missing-field-initializers)
  if(CMAKE_C_COMPILER_ID STREQUAL "GNU")
    # snprintf into fixed buffers truncates on purpose: messages and excerpts are capped.
    target_compile_options(${target} PRIVATE -Wno-format-truncation)
  endif()
  if(GLEANER_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

if(GLEANER_FUZZ)
  # libFuzzer instruments every object linked into a target.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

if(GLEANER_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
