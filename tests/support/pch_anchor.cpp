// Translation unit of the target that owns the test executables' shared precompiled header
// (tests/CMakeLists.txt, KTL_TEST_PCH); it has nothing of its own to compile.
