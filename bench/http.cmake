# bench/http: the HTTPS endpoint under wrk (bench/http_bench.sh), against http_baseline, a
# libmicrohttpd endpoint with the same TLS that answers 200 without storing (the bound).
add_executable(http_baseline ${CMAKE_SOURCE_DIR}/bench/http_baseline.c)
target_link_libraries(http_baseline PRIVATE tlsrpt_collector)
add_executable(http_bodies ${CMAKE_SOURCE_DIR}/bench/http_bodies.c)
target_link_libraries(http_bodies PRIVATE PkgConfig::ZLIB)
set_target_properties(http_baseline http_bodies PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                                                           ${CMAKE_BINARY_DIR}/bench)
