# bench/web: server time of tlsrpt-web's overview and domain page on bench/report_gen's database
# (issue 6: under 100 ms each). web_bench builds the pages through the router without HTTP;
# web_bench.sh also times them over HTTP with curl. Not tests: run by hand, e.g.
#   bench/web_bench.sh build            # builds /tmp/tlsrpt-report-bench/report_bench-1000000.db once
if(TARGET tlsrpt_web)
  add_executable(web_bench ${CMAKE_SOURCE_DIR}/bench/web_bench.c)
  target_link_libraries(web_bench PRIVATE tlsrpt_web)
  set_target_properties(web_bench PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
endif()
