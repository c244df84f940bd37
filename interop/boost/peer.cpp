// A Boost.Interprocess program the .NET tests start (tests/Memshare.Tests/Interop/Boost.*.cs), showing that
// Boost and Memshare name and map the same bytes. Header-only Boost:
//   g++ -std=c++17 -O2 peer.cpp -o boost-peer -lrt -pthread
//
//   open NAME SIZE    open an existing region, check byte i == (i*7+3)&0xff, then write (i*13+5)&0xff;
//                     prints "ok" (exit 0) or "mismatch at I: B" (exit 1)
//   create NAME SIZE  create a region, fill byte i with (i*11+1)&0xff, print "ready", wait for a line on
//                     stdin, then remove the name and print "removed"
#include <boost/interprocess/mapped_region.hpp>
#include <boost/interprocess/shared_memory_object.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>

namespace bip = boost::interprocess;

static int open_and_reply(const char *name, std::size_t size)
{
    bip::shared_memory_object shm(bip::open_only, name, bip::read_write);
    bip::mapped_region region(shm, bip::read_write);
    if (region.get_size() < size) {
        std::printf("region has %zu bytes, expected at least %zu\n", region.get_size(), size);
        return 1;
    }
    auto *bytes = static_cast<unsigned char *>(region.get_address());
    for (std::size_t i = 0; i < size; i++) {
        if (bytes[i] != static_cast<unsigned char>(i * 7 + 3)) {
            std::printf("mismatch at %zu: %u\n", i, static_cast<unsigned>(bytes[i]));
            return 1;
        }
    }
    for (std::size_t i = 0; i < size; i++) {
        bytes[i] = static_cast<unsigned char>(i * 13 + 5);
    }
    std::printf("ok\n");
    return 0;
}

static int create_and_wait(const char *name, std::size_t size)
{
    bip::shared_memory_object shm(bip::create_only, name, bip::read_write);
    shm.truncate(static_cast<bip::offset_t>(size));
    {
        bip::mapped_region region(shm, bip::read_write);
        auto *bytes = static_cast<unsigned char *>(region.get_address());
        for (std::size_t i = 0; i < size; i++) {
            bytes[i] = static_cast<unsigned char>(i * 11 + 1);
        }
    }
    std::printf("ready\n");
    std::fflush(stdout);
    std::string line;
    std::getline(std::cin, line);
    bool removed = bip::shared_memory_object::remove(name);
    std::printf(removed ? "removed\n" : "not removed\n");
    return removed ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        std::fprintf(stderr, "usage: boost-peer open|create NAME SIZE\n");
        return 2;
    }
    std::size_t size = std::strtoull(argv[3], nullptr, 10);
    try {
        if (std::strcmp(argv[1], "open") == 0) {
            return open_and_reply(argv[2], size);
        }
        if (std::strcmp(argv[1], "create") == 0) {
            return create_and_wait(argv[2], size);
        }
    } catch (const std::exception &e) {
        std::fprintf(stderr, "boost-peer: %s\n", e.what());
        return 1;
    }
    std::fprintf(stderr, "unknown mode '%s'\n", argv[1]);
    return 2;
}
