# The vector code: the kernels and the perturbation engine's pixel loop, one file per
# instruction set, that ISA's flags on that file only and no LTO across it, so its
# instructions can never leak into code that runs on every CPU.
# Included from the top-level CMakeLists.txt with the mandel_obj target defined.
if(NOT MANDEL_SIMD)
  return()
endif()

include(CheckCCompilerFlag)

# GCC/Clang vector extensions: portable, built at the target's default flags.
if(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
  target_sources(mandel_obj PRIVATE ${PROJECT_SOURCE_DIR}/src/kernel/kernel_generic.c)
  target_compile_definitions(mandel_obj PRIVATE MANDEL_HAVE_GENERIC)
endif()

if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  check_c_compiler_flag(-fno-lto MANDEL_CC_NO_LTO)
  if(MANDEL_CC_NO_LTO)
    set(MANDEL_NOLTO ";-fno-lto")
  else()
    set(MANDEL_NOLTO "")
  endif()
  # No -mfma anywhere: with the instruction unavailable no multiply-add can be fused, whatever
  # -ffp-contract says (docs/algorithms.md, "Vector kernels").
  # src/<file>, built with `flags` when the compiler takes them, defining `define`.
  function(mandel_x86_source file define flags)
    string(REPLACE ";" " " flags_text "${flags}")
    check_c_compiler_flag("${flags_text}" MANDEL_CC_${define})
    if(MANDEL_CC_${define})
      set(path ${PROJECT_SOURCE_DIR}/src/${file})
      target_sources(mandel_obj PRIVATE ${path})
      set_source_files_properties(${path} PROPERTIES COMPILE_OPTIONS "${flags}${MANDEL_NOLTO}")
      target_compile_definitions(mandel_obj PRIVATE ${define})
    endif()
  endfunction()
  mandel_x86_source(kernel/kernel_sse2.c MANDEL_HAVE_SSE2 "-msse2")
  mandel_x86_source(kernel/kernel_avx2.c MANDEL_HAVE_AVX2 "-mavx2")
  mandel_x86_source(kernel/kernel_avx512.c MANDEL_HAVE_AVX512 "-mavx512f;-mavx512dq")
  # the perturbation engine's pixel loop (src/deep/perturb_lanes.h)
  mandel_x86_source(deep/perturb_avx2.c MANDEL_HAVE_DEEP_AVX2 "-mavx2")
  mandel_x86_source(deep/perturb_avx512.c MANDEL_HAVE_DEEP_AVX512 "-mavx512f;-mavx512dq")
endif()

# bench/kernels.c: times the kernels against the FPU's practical peak (not a test).
add_executable(bench_kernels ${PROJECT_SOURCE_DIR}/bench/kernels.c)
target_link_libraries(bench_kernels PRIVATE mandel_internal Threads::Threads)
