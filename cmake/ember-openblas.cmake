# The static OpenBLAS that ember links, as the imported target ember::openblas: the pthread build
# of Debian's libopenblas-pthread-dev (see CMakeLists.txt for why that one). Included by
# CMakeLists.txt and, installed next to it, by ember-config.cmake, so the exported link interface
# of the static libember.a names this target and never an absolute path: the installed package
# stays relocatable, and finds OpenBLAS again on the machine that uses it.
# Sets EMBER_OPENBLAS_LIBRARY (a cache variable: pass -DEMBER_OPENBLAS_LIBRARY=/path/libopenblas.a
# for another location). Expects Threads::Threads to exist (find_package(Threads) first).
if(NOT TARGET ember::openblas)
  find_library(EMBER_OPENBLAS_LIBRARY NAMES libopenblas.a
               PATHS /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-pthread NO_DEFAULT_PATH
               DOC "The static OpenBLAS (pthread build) ember links")
  if(EMBER_OPENBLAS_LIBRARY)
    if(EMBER_OPENBLAS_GLOBAL)  # the build tree: every directory's targets see it
      add_library(ember::openblas STATIC IMPORTED GLOBAL)
    else()
      add_library(ember::openblas STATIC IMPORTED)
    endif()
    set_target_properties(ember::openblas PROPERTIES IMPORTED_LOCATION "${EMBER_OPENBLAS_LIBRARY}"
                                                     INTERFACE_LINK_LIBRARIES "Threads::Threads;m")
  endif()
endif()
