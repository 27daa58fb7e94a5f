# bench/maildir_bench: `tlsrpt-collector maildir` throughput and peak RSS against a raw
# read + GMime + part + gunzip + json_loadb loop over the same messages (issue 3). Not a test: run it by
# hand on a large generated Maildir, e.g.
#   build/bench/tlsrpt-gen --format maildir --reports 100000 --out /tmp/m
#   build/bench/maildir_bench /tmp/m/maildir
add_executable(maildir_bench ${CMAKE_SOURCE_DIR}/bench/maildir_bench.c
                             ${CMAKE_SOURCE_DIR}/bench/raw_bound.c)
target_link_libraries(maildir_bench PRIVATE PkgConfig::GMIME PkgConfig::ZLIB PkgConfig::JANSSON)
target_compile_definitions(maildir_bench PRIVATE
                           TLSRPT_COLLECTOR_PATH="$<TARGET_FILE:tlsrpt-collector>")
add_dependencies(maildir_bench tlsrpt-collector)
set_target_properties(maildir_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
