import Testing
@testable import History

/// The CPU part of the machine key: the model name, and the x86 family and model numbers that
/// tell apart generations a virtual machine names alike.
@Suite struct MachineKeyTests {
    static let zen5 = """
        processor\t: 0
        vendor_id\t: AuthenticAMD
        cpu family\t: 26
        model\t\t: 2
        model name\t: AMD EPYC
        stepping\t: 1
        """

    @Test func familyAndModelNumbersJoinTheName() {
        #expect(MachineKey.cpuModel(cpuinfo: Self.zen5) == "AMD EPYC (family 26, model 2)")
        let zen4 = Self.zen5.replacingOccurrences(of: ": 26", with: ": 25").replacingOccurrences(of: "\t\t: 2", with: "\t\t: 17")
        #expect(MachineKey.cpuModel(cpuinfo: zen4) == "AMD EPYC (family 25, model 17)")
        #expect(MachineKey.cpuModel(cpuinfo: zen4) != MachineKey.cpuModel(cpuinfo: Self.zen5))
    }

    /// Without both numbers (ARM's cpuinfo has neither) the name stands alone, and a model line
    /// that is not a number is not taken for one.
    @Test func otherCPUsKeepTheirName() {
        let arm = "processor\t: 0\nCPU part\t: 0xd0c\nModel\t: Raspberry Pi 5\n"
        #expect(MachineKey.cpuModel(cpuinfo: arm) == "Raspberry Pi 5")
        #expect(MachineKey.cpuModel(cpuinfo: "model name\t: Some CPU\ncpu family\t: 6\n") == "Some CPU")
        #expect(MachineKey.cpuModel(cpuinfo: "model name\t: Some CPU\ncpu family\t: x\nmodel\t: 2\n") == "Some CPU")
        #expect(MachineKey.cpuModel(cpuinfo: "") == "unknown CPU")
    }
}
