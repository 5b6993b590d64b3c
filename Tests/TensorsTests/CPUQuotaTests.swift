import Testing
@testable import Tensors

@Suite struct CPUQuotaTests {
    @Test func cgroupV2Lines() {
        #expect(CPUQuota.cgroupV2(cpuMax: "max 100000\n") == nil)
        #expect(CPUQuota.cgroupV2(cpuMax: "150000 100000\n") == 2)
        #expect(CPUQuota.cgroupV2(cpuMax: "200000 100000") == 2)
        #expect(CPUQuota.cgroupV2(cpuMax: "50000 100000") == 1)
        #expect(CPUQuota.cgroupV2(cpuMax: "1000 100000") == 1)
        #expect(CPUQuota.cgroupV2(cpuMax: "400000 100000") == 4)
        #expect(CPUQuota.cgroupV2(cpuMax: "") == nil)
        #expect(CPUQuota.cgroupV2(cpuMax: "garbage") == nil)
        #expect(CPUQuota.cgroupV2(cpuMax: "100000 0") == nil)
    }

    @Test func cgroupV1Files() {
        #expect(CPUQuota.cgroupV1(quota: "-1\n", period: "100000\n") == nil)
        #expect(CPUQuota.cgroupV1(quota: "250000\n", period: "100000\n") == 3)
        #expect(CPUQuota.cgroupV1(quota: "100000", period: "100000") == 1)
        #expect(CPUQuota.cgroupV1(quota: "x", period: "100000") == nil)
    }

    @Test func smallestLimitWinsAndTheOverrideWinsOverAll() {
        #expect(CPUQuota.threadCount(override: nil, online: 64, affinity: nil, quota: nil) == 64)
        #expect(CPUQuota.threadCount(override: nil, online: 64, affinity: 8, quota: nil) == 8)
        #expect(CPUQuota.threadCount(override: nil, online: 64, affinity: 8, quota: 2) == 2)
        #expect(CPUQuota.threadCount(override: "12", online: 64, affinity: 8, quota: 2) == 12)
        #expect(CPUQuota.threadCount(override: "0", online: 4, affinity: nil, quota: 3) == 3)
        #expect(CPUQuota.threadCount(override: "many", online: 4, affinity: nil, quota: nil) == 4)
        #expect(CPUQuota.threadCount(override: nil, online: 0, affinity: nil, quota: nil) == 1)
    }

    @Test func affinityLists() {
        #expect(CPUQuota.allowedCores(list: "\t0-3,8,10-11\n") == 7)
        #expect(CPUQuota.allowedCores(list: "0") == 1)
        #expect(CPUQuota.allowedCores(list: "0-63") == 64)
        #expect(CPUQuota.allowedCores(list: "") == nil)
        #expect(CPUQuota.allowedCores(list: "3-1") == nil)
        #expect(CPUQuota.allowedCores(list: "a-b") == nil)
    }

    @Test func ancestorsWalkUpToTheRoot() {
        #expect(CPUQuota.ancestors("/sys/fs/cgroup", "/") == ["/sys/fs/cgroup"])
        #expect(CPUQuota.ancestors("/sys/fs/cgroup", "/a/b") == ["/sys/fs/cgroup/a/b", "/sys/fs/cgroup/a", "/sys/fs/cgroup"])
    }

    @Test func thisMachineHasAtLeastOneCore() {
        #expect((CPUQuota.affinityCount() ?? 1) >= 1)
        #expect(ParallelConfig.threadCount >= 1)
    }
}
