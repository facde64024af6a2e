# Guest scenario (sourced by record.sh's init, which gives `rec`): a VLAN-aware Linux bridge as a
# gateway builds one (802.1Q bridge, vlan_filtering), its ports' VLAN membership, PVID and
# untagged egress, per-VLAN statistics, and the answers to bad requests.
modprobe bridge
modprobe 8021q
ip link set lo up
ip link add lan1 type veth peer name host1
ip link add lan2 type veth peer name host2
ip link add lan3 type veth peer name host3
rec br-add ip link add br-lan type bridge vlan_filtering 1 vlan_stats_enabled 1
for p in lan1 lan2 lan3; do ip link set "$p" master br-lan; ip link set "$p" up; done
for h in host1 host2 host3; do ip link set "$h" up; done
ip link set br-lan up
rec vlan-show-default bridge -j vlan show
rec vlan-add-10-lan1 bridge vlan add dev lan1 vid 10 pvid untagged
rec vlan-add-10-lan2 bridge vlan add dev lan2 vid 10
rec vlan-add-20-lan2 bridge vlan add dev lan2 vid 20
rec vlan-add-20-lan3 bridge vlan add dev lan3 vid 20 pvid untagged
rec vlan-del-1-lan1 bridge vlan del dev lan1 vid 1
rec vlan-del-1-lan3 bridge vlan del dev lan3 vid 1
rec vlan-add-10-self bridge vlan add dev br-lan vid 10 self
rec vlan-show bridge -j vlan show
rec vlan-show-text bridge vlan show
rec vlan-show-stats bridge -j -s vlan show
rec link-show-bridge bridge -j -d link show
rec ip-link-br-lan ip -j -d link show br-lan
rec ip-link-lan1 ip -j -d link show lan1
rec ip-link-stats-lan1 ip -j -s link show lan1
# Ingress filtering is the bridge's (vlan_filtering); per port the kernel has no switch for it.
rec port-set-learning ip link set dev lan2 type bridge_slave learning off
rec port-set-priority ip link set dev lan2 type bridge_slave priority 16
rec ip-link-lan2 ip -j -d link show lan2
rec br-set-default-pvid ip link set dev br-lan type bridge vlan_default_pvid 0
rec br-set-protocol ip link set dev br-lan type bridge vlan_protocol 802.1ad
rec br-set-protocol-back ip link set dev br-lan type bridge vlan_protocol 802.1Q
rec br-vlan-filtering-off ip link set dev br-lan type bridge vlan_filtering 0
rec ip-link-br-lan-unfiltered ip -j -d link show br-lan
rec br-vlan-filtering-on ip link set dev br-lan type bridge vlan_filtering 1
# Bad requests.
rec vlan-add-4095 bridge vlan add dev lan1 vid 4095
rec vlan-add-0 bridge vlan add dev lan1 vid 0
rec vlan-add-no-dev bridge vlan add dev lan9 vid 10
rec vlan-del-absent bridge vlan del dev lan1 vid 30
rec vlan-add-not-port bridge vlan add dev host1 vid 10
rec vlan-show-after bridge -j vlan show
