// One include for Catch2 2 (catch2/catch.hpp, Debian 12) and Catch2 3 (catch_all.hpp, GPU machine).
#pragma once
#if __has_include(<catch2/catch_all.hpp>)
#include <catch2/catch_all.hpp>
#else
#include <catch2/catch.hpp>
#endif
