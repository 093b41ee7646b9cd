{
  "targets": [
    {
      "target_name": "rotor_udp",
      "sources": ["native/udp.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
