# bench/import_bench: import throughput against a raw read+gunzip+json_loadb loop (issue: core pipeline).
add_executable(import_bench ${CMAKE_SOURCE_DIR}/bench/import_bench.c
                            ${CMAKE_SOURCE_DIR}/bench/raw_bound.c)
target_link_libraries(import_bench PRIVATE tlsrpt_collector PkgConfig::ZLIB PkgConfig::JANSSON)
set_target_properties(import_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
