// Task names (asyncio's Task.get_name / set_name): "Task-N" until named, the
// name given to create_task, and set_name renaming a task in place.
#include <gtest/gtest.h>

#include <string>

#include "tulip/tulip.hpp"

namespace tulip {
namespace {

Coro<void> idle() { co_await sleep(0); }

int task_number(const std::string& name) {
    EXPECT_EQ(name.rfind("Task-", 0), 0u) << name;
    return std::stoi(name.substr(5));
}

TEST(TaskNames, UnnamedTasksAreNumberedInCreationOrder) {
    run([]() -> Coro<void> {
        Task<void> first = create_task(idle());
        Task<void> second = create_task(idle());
        // Asked for after both were made: the number is the creation order's.
        EXPECT_EQ(task_number(second.get_name()), task_number(first.get_name()) + 1);
        co_await first;
        co_await second;
    }());
}

TEST(TaskNames, TheNameGivenToCreateTaskIsKept) {
    run([]() -> Coro<void> {
        Task<void> t = create_task(idle(), "worker-7");
        EXPECT_EQ(t.get_name(), "worker-7");
        co_await t;
        EXPECT_EQ(t.get_name(), "worker-7");  // still after it finished
    }());
}

// A name asked for earlier reads the new one: set_name renames in place, so the
// reference get_name returned stays valid (ASan would see a freed string else).
TEST(TaskNames, SetNameRenamesInPlace) {
    run([]() -> Coro<void> {
        Task<void> unnamed = create_task(idle());
        const std::string& name = unnamed.get_name();
        unnamed.set_name("renamed");
        EXPECT_EQ(name, "renamed");
        unnamed.set_name("again, with a name too long for any small-string buffer");
        EXPECT_EQ(name, "again, with a name too long for any small-string buffer");
        Task<void> named = create_task(idle(), "first");
        named.set_name("second");
        EXPECT_EQ(named.get_name(), "second");
        co_await unnamed;
        co_await named;
    }());
}

}  // namespace
}  // namespace tulip
