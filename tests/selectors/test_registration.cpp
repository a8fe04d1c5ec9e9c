// Conformance, part 1: add / modify / remove / get_key / get_map / close, the same
// for every backend (ported from CPython's Lib/test/test_selectors.py).
#include <algorithm>

#include "selectors/selector_test.hpp"

namespace tulip::testing {
namespace {

template <class S>
using Registration = SelectorTest<S>;
TYPED_TEST_SUITE(Registration, AllSelectors, SelectorName);

TYPED_TEST(Registration, AddReturnsTheKey) {
    TypeParam s;
    Pair p;
    int data = 0;
    SelectorKey key = s.add(p.a, EVENT_READ, &data);
    EXPECT_EQ(key.fd, p.a);
    EXPECT_EQ(key.events, EVENT_READ);
    EXPECT_EQ(key.data, &data);
    EXPECT_EQ(s.size(), 1u);
    SelectorKey again = s.get_key(p.a);
    EXPECT_EQ(again.fd, p.a);
    EXPECT_EQ(again.events, EVENT_READ);
    EXPECT_EQ(again.data, &data);
}

TYPED_TEST(Registration, AddTakesASocket) {
    TypeParam s;
    auto [a, b] = Socket::pair();
    SelectorKey key = s.add(a, EVENT_READ | EVENT_WRITE);
    EXPECT_EQ(key.fd, a.fileno());
    EXPECT_EQ(s.modify(a, EVENT_WRITE).events, EVENT_WRITE);
    EXPECT_EQ(s.remove(a).fd, a.fileno());
}

TYPED_TEST(Registration, AddTwiceRaisesKeyError) {
    TypeParam s;
    Pair p;
    s.add(p.a, EVENT_READ);
    try {
        s.add(p.a, EVENT_WRITE);
        FAIL() << "expected KeyError";
    } catch (const KeyError& e) {
        EXPECT_EQ(std::string(e.what()), "fd " + std::to_string(p.a) + " is already registered");
    }
    EXPECT_EQ(s.get_key(p.a).events, EVENT_READ);  // the first registration is untouched
}

TYPED_TEST(Registration, AddRejectsInvalidArguments) {
    TypeParam s;
    Pair p;
    try {
        s.add(p.a, 4);
        FAIL() << "expected ValueError";
    } catch (const ValueError& e) {
        EXPECT_STREQ(e.what(), "Invalid events: 0x4");
    }
    EXPECT_THROW(s.add(p.a, 0), ValueError);
    EXPECT_THROW(s.add(p.a, EVENT_READ | 8), ValueError);
    EXPECT_THROW(s.add(-1, EVENT_READ), ValueError);
    int closed = ::dup(p.a);
    ::close(closed);
    EXPECT_THROW(s.add(closed, EVENT_READ), OSError);
    EXPECT_EQ(s.size(), 0u);
}

TYPED_TEST(Registration, RemoveReturnsTheKey) {
    TypeParam s;
    Pair p;
    int data = 0;
    s.add(p.a, EVENT_READ, &data);
    SelectorKey key = s.remove(p.a);
    EXPECT_EQ(key.fd, p.a);
    EXPECT_EQ(key.data, &data);
    EXPECT_EQ(s.size(), 0u);
    EXPECT_THROW(s.get_key(p.a), KeyError);
    s.add(p.a, EVENT_WRITE);  // the fd can be registered again
}

TYPED_TEST(Registration, RemoveUnknownRaisesKeyError) {
    TypeParam s;
    Pair p;
    EXPECT_THROW(s.remove(p.a), KeyError);
    EXPECT_THROW(s.remove(-1), KeyError);
    EXPECT_THROW(s.remove(999'999), KeyError);
}

TYPED_TEST(Registration, RemoveAfterFdClose) {
    TypeParam s;
    Pair p;
    int a = p.a, b = p.b;
    s.add(a, EVENT_READ);
    s.add(b, EVENT_WRITE);
    p.close_a();
    p.close_b();
    s.remove(a);
    s.remove(b);
    EXPECT_EQ(s.size(), 0u);
}

TYPED_TEST(Registration, RemoveAfterFdCloseAndReuse) {
    TypeParam s;
    Pair p, q;
    int a = p.a, b = p.b;
    s.add(a, EVENT_READ);
    s.add(b, EVENT_WRITE);
    p.close_a();
    p.close_b();
    ASSERT_EQ(::dup2(q.a, a), a);
    Fd reused_a(a);
    ASSERT_EQ(::dup2(q.b, b), b);
    Fd reused_b(b);
    s.remove(a);
    s.remove(b);
}

TYPED_TEST(Registration, Modify) {
    TypeParam s;
    Pair p;
    int d1 = 0, d2 = 0;
    s.add(p.a, EVENT_READ, &d1);
    SelectorKey key = s.modify(p.a, EVENT_WRITE, &d1);
    EXPECT_EQ(key.events, EVENT_WRITE);
    EXPECT_EQ(s.get_key(p.a).events, EVENT_WRITE);
    key = s.modify(p.a, EVENT_WRITE, &d2);
    EXPECT_EQ(key.data, &d2);
    EXPECT_EQ(s.get_key(p.a).data, &d2);
    key = s.modify(p.a, EVENT_READ | EVENT_WRITE);
    EXPECT_EQ(key.events, EVENT_READ | EVENT_WRITE);
    EXPECT_EQ(key.data, nullptr);
    EXPECT_THROW(s.modify(p.b, EVENT_READ), KeyError);
    EXPECT_THROW(s.modify(p.a, 0), ValueError);
    EXPECT_THROW(s.modify(p.a, 4), ValueError);
    EXPECT_EQ(s.get_key(p.a).events, EVENT_READ | EVENT_WRITE);
}

TYPED_TEST(Registration, ModifyChangesWhatSelectReports) {
    TypeParam s;
    Pair p;
    s.add(p.a, EVENT_WRITE);
    EXPECT_EQ(ready_for(s.select(0), p.a), EVENT_WRITE);
    s.modify(p.a, EVENT_READ);
    EXPECT_TRUE(s.select(0).empty());
    send_byte(p.b);
    EXPECT_EQ(ready_for(s.select(0), p.a), EVENT_READ);
}

TYPED_TEST(Registration, ModifyOnlyDataMakesNoSyscall) {
    TypeParam s;
    Pair p;
    int data = 0;
    s.add(p.a, EVENT_READ);
    fault::Scope scope;
    // A rule that never fires, so that the injector counts the calls.
    fault::inject({.call = fault::Call::epoll_ctl, .error = EIO, .skip = ~0ull >> 1});
    s.modify(p.a, EVENT_READ, &data);
    EXPECT_EQ(fault::calls(fault::Call::epoll_ctl), 0u);
    EXPECT_EQ(s.get_key(p.a).data, &data);
}

TYPED_TEST(Registration, GetKeyAndGetMap) {
    TypeParam s;
    Pair p, q;
    EXPECT_TRUE(s.get_map().empty());
    EXPECT_THROW(s.get_key(p.a), KeyError);
    s.add(q.b, EVENT_WRITE);
    s.add(p.a, EVENT_READ);
    std::vector<SelectorKey> map = s.get_map();
    ASSERT_EQ(map.size(), 2u);
    EXPECT_EQ(map[0].fd, std::min(p.a, q.b));  // ordered by fd
    EXPECT_EQ(map[1].fd, std::max(p.a, q.b));
    s.remove(q.b);
    map = s.get_map();
    ASSERT_EQ(map.size(), 1u);
    EXPECT_EQ(map[0].fd, p.a);
    EXPECT_EQ(map[0].events, EVENT_READ);
}

TYPED_TEST(Registration, CloseThenEveryCallRaises) {
    TypeParam s;
    Pair p;
    s.add(p.a, EVENT_READ);
    s.add(p.b, EVENT_WRITE);
    EXPECT_FALSE(s.is_closed());
    s.close();
    EXPECT_TRUE(s.is_closed());
    EXPECT_THROW(s.add(p.a, EVENT_READ), RuntimeError);
    EXPECT_THROW(s.modify(p.a, EVENT_WRITE), RuntimeError);
    EXPECT_THROW(s.remove(p.a), RuntimeError);
    EXPECT_THROW(s.select(0), RuntimeError);
    EXPECT_THROW(s.select_ns(0), RuntimeError);
    EXPECT_THROW(s.get_key(p.a), RuntimeError);
    EXPECT_THROW(s.get_map(), RuntimeError);
    EXPECT_THROW(s.size(), RuntimeError);
    try {
        s.get_key(p.a);
    } catch (const RuntimeError& e) {
        EXPECT_STREQ(e.what(), "Selector is closed");
    }
    s.close();  // closing again is harmless
}

TYPED_TEST(Registration, CloseWithoutRegistrations) {
    TypeParam s;
    s.close();
    EXPECT_TRUE(s.is_closed());
}

}  // namespace
}  // namespace tulip::testing
