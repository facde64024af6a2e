# Guest scenario (sourced by record.sh's init, which gives `rec`): VLAN termination interfaces
# (802.1Q and 802.1ad sub-interfaces) as a gateway makes a tagged WAN, what `ip` shows of them,
# their sysfs counters after traffic crossed them, the changes a Controller's writes run, and the
# answers to bad requests.
modprobe 8021q
ip link set lo up
# wan0 stands for the WAN Ethernet port; wanpeer (in its own namespace) for the access network.
ip netns add isp
ip link add wan0 type veth peer name wanpeer
ip link set wanpeer netns isp
ip link set wan0 up
ip -n isp link set wanpeer up
ip -n isp link add link wanpeer name wanpeer.100 type vlan id 100
ip -n isp addr add 192.0.2.1/24 dev wanpeer.100
ip -n isp link set wanpeer.100 up
rec add-100 ip link add link wan0 name wan0.100 type vlan id 100
rec show-100-down ip -j -d link show wan0.100
rec up-100 ip link set dev wan0.100 up
ip addr add 192.0.2.2/24 dev wan0.100
rec ping-100 ping -c 3 -i 0.2 -W 2 192.0.2.1
rec show-100 ip -j -d link show wan0.100
rec show-100-stats ip -j -s link show wan0.100
for c in rx_bytes tx_bytes rx_packets tx_packets rx_errors tx_errors rx_dropped tx_dropped multicast; do
  rec "sys-100-$c" cat "/sys/class/net/wan0.100/statistics/$c"
done
rec sys-100-operstate cat /sys/class/net/wan0.100/operstate
rec proc-vlan-config cat /proc/net/vlan/config
rec add-200-ad ip link add link wan0 name wan0.200 type vlan protocol 802.1ad id 200
rec show-200-ad ip -j -d link show wan0.200
rec show-all-vlan ip -j -d link show type vlan
rec down-100 ip link set dev wan0.100 down
rec show-100-after-down ip -j -d link show wan0.100
rec sys-100-operstate-down cat /sys/class/net/wan0.100/operstate
# Changing the VLAN ID of an existing interface, and renaming it (what a Set of VLANID needs).
rec set-id-101 ip link set dev wan0.100 type vlan id 101
rec show-after-set-id ip -j -d link show wan0.100
rec rename-101 ip link set dev wan0.100 name wan0.101
rec show-101 ip -j -d link show wan0.101
rec del-101 ip link del dev wan0.101
rec del-200 ip link del dev wan0.200
# Bad requests.
rec add-4095 ip link add link wan0 name wan0.4095 type vlan id 4095
rec add-0 ip link add link wan0 name wan0.0 type vlan id 0
rec add-no-dev ip link add link wan9 name wan9.10 type vlan id 10
ip link add link wan0 name wan0.300 type vlan id 300
rec add-dup-id ip link add link wan0 name wan0.x300 type vlan id 300
rec add-dup-name ip link add link wan0 name wan0.300 type vlan id 301
rec del-absent ip link del dev wan0.999
rec show-absent ip -j -d link show wan0.999
rec show-all-vlan-end ip -j -d link show type vlan
