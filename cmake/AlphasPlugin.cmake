# alphas_add_plugin(<target> SOURCES <files...> [LIBRARIES <libs...>])
#
# Builds one alpha plugin as a MODULE library in build/plugins (installed to
# lib/alphas/plugins) linked against the framework, with hidden visibility so
# that only the exported plugin entry points are visible to the host.
function(alphas_add_plugin target)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE alphas::framework ${ARG_LIBRARIES})
  set_target_properties(${target} PROPERTIES
    PREFIX "lib"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY "${ALPHAS_PLUGIN_OUTPUT_DIR}"
    INSTALL_RPATH "$ORIGIN/../..")
  install(TARGETS ${target} LIBRARY DESTINATION "${ALPHAS_PLUGIN_INSTALL_DIR}")
endfunction()

# alphas_add_plugin_test(<target> SOURCES <files...> [LIBRARIES <libs...>])
#
# A GoogleTest binary for one plugin's internals, registered with ctest.
function(alphas_add_plugin_test target)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT ALPHAS_BUILD_TESTS)
    return()
  endif()
  add_executable(${target} ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE alphas::framework GTest::gtest GTest::gtest_main
                        ${ARG_LIBRARIES})
  target_include_directories(${target} PRIVATE "${CMAKE_SOURCE_DIR}/tests")
  target_compile_definitions(${target} PRIVATE
    ALPHAS_TEST_DATA_DIR="${CMAKE_SOURCE_DIR}/tests/data"
    ALPHAS_BINARY="$<TARGET_FILE:alphas>"
    ALPHAS_PLUGIN_DIR="${ALPHAS_PLUGIN_OUTPUT_DIR}")
  gtest_discover_tests(${target} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 600)
endfunction()
