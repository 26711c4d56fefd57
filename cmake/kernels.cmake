# The vector kernels: one file per instruction set, that ISA's flags on that file only and
# no LTO across it, so its instructions can never leak into code that runs on every CPU.
# Included from the top-level CMakeLists.txt with the mandel_obj target defined.
if(NOT MANDEL_SIMD)
  return()
endif()
