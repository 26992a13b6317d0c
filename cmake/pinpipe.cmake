# pinpipe_library(name SOURCES ... DEPS ...): a static library of one module, includes rooted
# at src/.
function(pinpipe_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# pinpipe_test(name SOURCES ... DEPS ...): a GoogleTest binary whose cases are registered
# with CTest one by one.
function(pinpipe_test name)
  if(NOT PINPIPE_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} pinpipe_testing GTest::gmock_main)
  add_dependencies(${name} pinpipe)  # tests may run the binary
  set(labels unit)
  if(ARG_LABELS)
    set(labels ${ARG_LABELS})
  endif()
  gtest_discover_tests(${name}
    DISCOVERY_MODE PRE_TEST
    DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS "${labels}")
  # Where tests find the source tree and the built binary (an environment variable of the same
  # name overrides either).
  target_compile_definitions(${name} PRIVATE
    PINPIPE_SOURCE_DIR="${CMAKE_SOURCE_DIR}" PINPIPE_BINARY="${CMAKE_BINARY_DIR}/pinpipe")
endfunction()
