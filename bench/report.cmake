# bench/report.cmake: the tlsrpt-report benchmark (issue 5). report_gen fills a database through the
# collector's store code; report_plan prints the analyzer's query plans; report_bench.sh times the
# real tlsrpt-report program on it. Run by hand: bench/report_bench.sh BUILD_DIR [WORK_DIR].
if(TARGET tlsrpt_analyzer)
  add_executable(report_gen ${CMAKE_SOURCE_DIR}/bench/report_gen.c)
  target_link_libraries(report_gen PRIVATE tlsrpt_store)
  add_executable(report_plan ${CMAKE_SOURCE_DIR}/bench/report_plan.c)
  target_link_libraries(report_plan PRIVATE tlsrpt_analyzer)
  set_target_properties(report_gen report_plan PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                                                          ${CMAKE_BINARY_DIR}/bench)
endif()
