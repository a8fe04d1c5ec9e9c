#include "tulip/net/getaddrinfo.hpp"

#include <netdb.h>

#include <exception>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "tulip/errors.hpp"

namespace tulip {

std::vector<AddrInfo> getaddrinfo(std::string_view host, std::string_view port, int family, int type,
                                  int proto, int flags) {
    addrinfo hints{};
    hints.ai_family = family;
    hints.ai_socktype = type;
    hints.ai_protocol = proto;
    hints.ai_flags = flags;
    std::string h(host), p(port);
    addrinfo* res = nullptr;
    int rc = ::getaddrinfo(h.empty() ? nullptr : h.c_str(), p.empty() ? nullptr : p.c_str(), &hints, &res);
    if (rc == EAI_SYSTEM) raise_os_error(errno, fmt::format("getaddrinfo {}", host));
    if (rc != 0) throw GaiError(rc, h.empty() ? p : h);
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(res, ::freeaddrinfo);

    std::vector<AddrInfo> out;
    for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
        out.push_back(AddrInfo{ai->ai_family, ai->ai_socktype, ai->ai_protocol,
                               ai->ai_canonname ? ai->ai_canonname : "",
                               Address::from_sockaddr(ai->ai_addr, ai->ai_addrlen)});
    }
    return out;
}

Socket create_connection(std::string_view host, std::uint16_t port, std::optional<double> timeout,
                         const std::optional<Address>& source) {
    std::exception_ptr last;
    for (const AddrInfo& ai : getaddrinfo(host, std::to_string(port), 0, SOCK_STREAM)) {
        try {
            Socket sock(ai.family, ai.type, ai.proto);
            sock.settimeout(timeout);
            if (source) sock.bind(*source);
            sock.connect(ai.address);
            return sock;
        } catch (const OSError&) {
            last = std::current_exception();
        }
    }
    if (last) std::rethrow_exception(last);
    throw OSError(ENOENT, std::generic_category(),
                  fmt::format("getaddrinfo returns an empty list for {}", host));
}

}  // namespace tulip
