// A shared library that is not an alphas plugin: it exports an ordinary
// function and none of the plugin entry points.
extern "C" __attribute__((visibility("default"))) int plain_library_answer() { return 42; }
