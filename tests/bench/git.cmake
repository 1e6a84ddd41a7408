# The Git scan driver that tests/bench/bench_git.py runs (never run by ctest):
# gl_bench_git_scan REPO --email ADDR... prints what gl_git_scan read and how long it took.
add_executable(gl_bench_git_scan ${CMAKE_CURRENT_LIST_DIR}/git_scan.c)
target_link_libraries(gl_bench_git_scan PRIVATE gleaner_core)
gleaner_warnings(gl_bench_git_scan)
