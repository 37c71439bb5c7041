// Lets `#pragma omp simd` loops call glibc's vector math (libmvec) for float erf and exp.
//
// glibc ships AVX2/AVX-512 variants of erff and expf (_ZGVeN16v_erff, ...) but math.h
// declares them only under -ffast-math, which we do not want project-wide. Declaring the
// SIMD variants here, with no other change to the maths, lets GCC vectorise GELU and the
// exponentials of softmax-like loops (libmvec's erff/expf are within 4 ulp).
#pragma once

#include <cmath>

extern "C" {
__attribute__((simd("notinbranch"))) float erff(float) noexcept;
__attribute__((simd("notinbranch"))) float expf(float) noexcept;
}
