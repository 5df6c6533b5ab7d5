# The test plugin of the runner tests (tests/runner_test.cpp), built into
# <build>/test_plugins/runner/, where the tests load it alone. Included from
# the top-level CMakeLists.txt after the tests folder, so that alphas_tests
# exists.
add_library(runner_test_plugin MODULE "${CMAKE_CURRENT_LIST_DIR}/runner_plugin.cpp")
target_link_libraries(runner_test_plugin PRIVATE alphas::framework)
set_target_properties(runner_test_plugin PROPERTIES
  PREFIX "lib"
  CXX_VISIBILITY_PRESET hidden
  VISIBILITY_INLINES_HIDDEN ON
  LIBRARY_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/test_plugins/runner")
add_dependencies(alphas_tests runner_test_plugin)
