# The vector kernels: one file per instruction set, that ISA's flags on that file only and
# no LTO across it, so its instructions can never leak into code that runs on every CPU.
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
  function(mandel_x86_kernel isa define flags)
    string(REPLACE ";" " " flags_text "${flags}")
    check_c_compiler_flag("${flags_text}" MANDEL_CC_${isa})
    if(MANDEL_CC_${isa})
      set(file ${PROJECT_SOURCE_DIR}/src/kernel/kernel_${isa}.c)
      target_sources(mandel_obj PRIVATE ${file})
      set_source_files_properties(${file} PROPERTIES COMPILE_OPTIONS "${flags}${MANDEL_NOLTO}")
      target_compile_definitions(mandel_obj PRIVATE ${define})
    endif()
  endfunction()
  mandel_x86_kernel(sse2 MANDEL_HAVE_SSE2 "-msse2")
  mandel_x86_kernel(avx2 MANDEL_HAVE_AVX2 "-mavx2")
  mandel_x86_kernel(avx512 MANDEL_HAVE_AVX512 "-mavx512f;-mavx512dq")
endif()

# bench/kernels.c: times the kernels against the FPU's practical peak (not a test).
add_executable(bench_kernels ${PROJECT_SOURCE_DIR}/bench/kernels.c)
target_link_libraries(bench_kernels PRIVATE mandel_internal Threads::Threads)
