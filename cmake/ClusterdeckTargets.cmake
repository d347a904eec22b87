# One folder, one target. clusterdeck_engine_library() keeps the engine's rule in one place:
# an engine target may link only Qt Core, Network and WebSockets, never a GUI module.
function(clusterdeck_engine_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPENDS})
  foreach(dep IN LISTS ARG_DEPENDS)
    if(dep MATCHES "Qt6::(Gui|Widgets|Charts|Svg|OpenGL)")
      message(FATAL_ERROR "${name}: engine targets must not link ${dep}")
    endif()
  endforeach()
endfunction()

# A Qt Test executable registered with CTest. Labels let `ctest -L` pick groups.
function(clusterdeck_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPENDS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE Qt6::Test ${ARG_DEPENDS})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME ${name} COMMAND ${name})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${ARG_LABELS}"
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;CLUSTERDECK_SOURCE_DIR=${PROJECT_SOURCE_DIR};CLUSTERDECK_BIN_DIR=${CMAKE_BINARY_DIR}/bin;CLUSTERDECK_EXAMPLES_DIR=${PROJECT_SOURCE_DIR}/tests/data/k8s-examples")
endfunction()

# Every tst_*.cpp in the calling folder becomes one test executable (named after the file)
# linked to the given libraries: adding a test file needs no CMake edit.
function(clusterdeck_test_folder)
  cmake_parse_arguments(ARG "" "TIMEOUT" "DEPENDS;LABELS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/tst_*.cpp)
  foreach(source IN LISTS sources)
    get_filename_component(name ${source} NAME_WE)
    clusterdeck_test(${name} SOURCES ${source} DEPENDS ${ARG_DEPENDS} LABELS ${ARG_LABELS} TIMEOUT ${ARG_TIMEOUT})
  endforeach()
endfunction()
