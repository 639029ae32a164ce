{
  "targets": [
    {
      "target_name": "pingsphere_icmp",
      "sources": [
        "src/addon.cc",
        "src/socket_setup.cc",
        "src/sweep_engine.cc",
        "src/sender.cc",
        "src/receiver.cc",
        "src/timestamping.cc",
        "src/ilp_encoder.cc",
        "src/target_scan.cc",
        "src/trace_engine.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++20"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra", "-Wno-missing-field-initializers"]
    }
  ]
}
