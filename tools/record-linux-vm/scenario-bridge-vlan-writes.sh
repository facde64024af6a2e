# Guest scenario (sourced by record.sh's init, which gives `rec`): the `bridge vlan` commands a
# Controller's writes make on the Linux platform (platform/linux/bridge-vlan.ts), in the order of
# test/integration/linux-bridge-vlan.test.ts, each followed by the table the kernel then holds:
# a port's PVID, a new VLAN on the bridge device, a member added untagged then made tagged, a PVID
# flag cleared (AdmitOnlyVLANTagged), a VLAN moved to another VID, a membership and a VLAN deleted.
modprobe bridge
modprobe 8021q
ip link set lo up
ip link add lan1 type veth peer name host1
ip link add lan2 type veth peer name host2
ip link add lan3 type veth peer name host3
ip link add br-lan type bridge vlan_filtering 1
for p in lan1 lan2 lan3; do ip link set "$p" master br-lan; ip link set "$p" up; done
for h in host1 host2 host3; do ip link set "$h" up; done
ip link set br-lan up
rec show-initial bridge -j vlan show
rec pvid-10-lan1 bridge vlan add dev lan1 vid 10 pvid untagged
rec show-pvid bridge -j vlan show
rec vlan-add-20-self bridge vlan add dev br-lan vid 20 self
rec show-vlan-20 bridge -j vlan show
rec member-20-lan2-untagged bridge vlan add dev lan2 vid 20 untagged
rec show-member bridge -j vlan show
rec member-20-lan2-tagged bridge vlan add dev lan2 vid 20
rec show-tagged bridge -j vlan show
rec clear-pvid-lan1 bridge vlan add dev lan1 vid 10 untagged
rec show-no-pvid bridge -j vlan show
rec move-30-self bridge vlan add dev br-lan vid 30 self
rec move-30-lan2 bridge vlan add dev lan2 vid 30
rec move-del-20-self bridge vlan del dev br-lan vid 20 self
rec move-del-20-lan2 bridge vlan del dev lan2 vid 20
rec show-moved bridge -j vlan show
rec member-del-1-lan1 bridge vlan del dev lan1 vid 1
rec show-member-deleted bridge -j vlan show
rec vlan-del-30-self bridge vlan del dev br-lan vid 30 self
rec vlan-del-30-lan2 bridge vlan del dev lan2 vid 30
rec show-vlan-deleted bridge -j vlan show
# What the kernel says to a VID it does not take, with the flags the agent would give.
rec pvid-4095-lan1 bridge vlan add dev lan1 vid 4095 pvid untagged
# Priority: the bridge has no per-port default priority or regeneration table; what tc offers on ingress.
rec tc-clsact-lan1 tc qdisc add dev lan1 clsact
rec tc-skbedit-lan1 tc filter add dev lan1 ingress matchall action skbedit priority 5
rec tc-show-lan1 tc -j filter show dev lan1 ingress
