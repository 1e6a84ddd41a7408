# The calendar benchmark (included from tests/bench/CMakeLists.txt; never run
# by ctest): gleaner against the least a libical program does and ical.js.
#
#   cmake --build build --target bench-calendar
#
# builds the tools, installs ical.js into the build tree (tests/ical/setup.sh),
# writes the 10,000-event calendar (gen_calendar.py) and prints the table
# (bench_calendar.py).  gleaner's side is tests/ical/ical_occurrences --count.
add_executable(libical_expand ${CMAKE_CURRENT_LIST_DIR}/libical_expand.c)
target_link_libraries(libical_expand PRIVATE PkgConfig::ICAL)
gleaner_warnings(libical_expand)

add_custom_target(bench-calendar
  COMMAND sh ${CMAKE_SOURCE_DIR}/tests/ical/setup.sh ${CMAKE_BINARY_DIR}/icaljs
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/bench_calendar.py
          --gleaner $<TARGET_FILE:ical_occurrences> --libical $<TARGET_FILE:libical_expand>
          --icaljs-dir ${CMAKE_BINARY_DIR}/icaljs
  DEPENDS ical_occurrences libical_expand
  USES_TERMINAL
  COMMENT "Calendar benchmark: gleaner, bare libical, ical.js")
