# Guest scenario (sourced by record.sh's init, which gives `rec`): Wi-Fi access points as a Linux
# gateway runs them, hostapd on nl80211, with mac80211_hwsim radios. phy0/wlan0 is a 2.4 GHz
# WPA2-Personal AP, phy1/wlan1 a 5 GHz WPA3-Personal AP; phy2 and phy3 are stations, each in a
# network namespace of its own so that their traffic crosses the simulated air.
modprobe mac80211_hwsim radios=4
ip link set lo up
rec iw-reg-set iw reg set DE
sleep 1
rec iw-reg-get iw reg get
rec iw-dev-idle iw dev
rec iw-phy iw phy
. /wifi-aps.sh
rec hostapd-start-wlan0 hostapd -B -P /run/hostapd-wlan0.pid /tmp/ap-wlan0.conf
rec hostapd-start-wlan1 hostapd -B -P /run/hostapd-wlan1.pid /tmp/ap-wlan1.conf
sleep 5
ip addr add 192.168.70.1/24 dev wlan0
ip addr add 192.168.71.1/24 dev wlan1

cat > /tmp/sta1.conf <<'CONF'
network={
  ssid="usp-lab"
  psk="correct horse battery"
}
CONF
cat > /tmp/sta2.conf <<'CONF'
sae_pwe=2
network={
  ssid="usp-lab-5g"
  key_mgmt=SAE
  sae_password="staple battery horse"
  ieee80211w=2
}
CONF
ip netns add sta1
ip netns add sta2
iw phy phy2 set netns name sta1
iw phy phy3 set netns name sta2
ip netns exec sta1 ip link set lo up
ip netns exec sta2 ip link set lo up
ip netns exec sta1 wpa_supplicant -B -i wlan2 -c /tmp/sta1.conf -P /run/wpa-sta1.pid
ip netns exec sta2 wpa_supplicant -B -i wlan3 -c /tmp/sta2.conf -P /run/wpa-sta2.pid
sleep 15
ip netns exec sta1 ip addr add 192.168.70.2/24 dev wlan2
ip netns exec sta2 ip addr add 192.168.71.2/24 dev wlan3
rec ping-sta1 ip netns exec sta1 ping -c 10 -i 0.2 -s 1000 192.168.70.1
rec ping-sta2 ip netns exec sta2 ping -c 5 -i 0.2 192.168.71.1
STA1=$(ip netns exec sta1 cat /sys/class/net/wlan2/address)

rec iw-dev iw dev
rec iw-wlan0-info iw dev wlan0 info
rec iw-wlan1-info iw dev wlan1 info
rec iw-wlan0-station-dump iw dev wlan0 station dump
rec iw-wlan1-station-dump iw dev wlan1 station dump
rec iw-wlan0-station-get iw dev wlan0 station get "$STA1"
rec iw-wlan0-survey iw dev wlan0 survey dump
rec iw-wlan1-survey iw dev wlan1 survey dump
rec iw-phy0-channels iw phy phy0 channels
rec iw-phy1-channels iw phy phy1 channels
rec iw-phy0-info iw phy phy0 info
rec ip-j-link-wlan0 ip -j -d link show wlan0
rec ip-j-s-link-wlan0 ip -j -s link show wlan0
rec hapd-interfaces hostapd_cli -p /run/hostapd interface
rec hapd-wlan0-status hostapd_cli -p /run/hostapd -i wlan0 status
rec hapd-wlan0-get-config hostapd_cli -p /run/hostapd -i wlan0 get_config
rec hapd-wlan0-all-sta hostapd_cli -p /run/hostapd -i wlan0 all_sta
rec hapd-wlan0-sta hostapd_cli -p /run/hostapd -i wlan0 sta "$STA1"
rec hapd-wlan1-status hostapd_cli -p /run/hostapd -i wlan1 status
rec hapd-wlan1-get-config hostapd_cli -p /run/hostapd -i wlan1 get_config
rec hapd-wlan1-all-sta hostapd_cli -p /run/hostapd -i wlan1 all_sta

# What a Controller's writes would run: a new SSID, a channel switch, a station sent away,
# the BSS off and on, and the answers to bad requests.
rec hapd-wlan0-set-ssid hostapd_cli -p /run/hostapd -i wlan0 set ssid usp-lab-renamed
rec hapd-wlan0-reload hostapd_cli -p /run/hostapd -i wlan0 reload
sleep 3
rec hapd-wlan0-status-renamed hostapd_cli -p /run/hostapd -i wlan0 status
rec hapd-wlan0-chan-switch hostapd_cli -p /run/hostapd -i wlan0 chan_switch 5 2462
sleep 4
rec hapd-wlan0-status-switched hostapd_cli -p /run/hostapd -i wlan0 status
rec iw-wlan0-info-switched iw dev wlan0 info
rec hapd-wlan0-deauth hostapd_cli -p /run/hostapd -i wlan0 deauthenticate "$STA1"
sleep 1
rec hapd-wlan0-all-sta-after-deauth hostapd_cli -p /run/hostapd -i wlan0 all_sta
rec hapd-wlan0-disable hostapd_cli -p /run/hostapd -i wlan0 disable
rec hapd-wlan0-status-disabled hostapd_cli -p /run/hostapd -i wlan0 status
rec iw-dev-disabled iw dev
rec hapd-wlan0-enable hostapd_cli -p /run/hostapd -i wlan0 enable
sleep 3
rec hapd-wlan0-status-enabled hostapd_cli -p /run/hostapd -i wlan0 status
rec hapd-wlan0-set-unknown hostapd_cli -p /run/hostapd -i wlan0 set no_such_setting 1
rec hapd-wlan0-chan-switch-bad hostapd_cli -p /run/hostapd -i wlan0 chan_switch 5 5180
sleep 4
rec hapd-wlan0-status-after-bad-switch hostapd_cli -p /run/hostapd -i wlan0 status
rec iw-wlan0-set-txpower iw dev wlan0 set txpower fixed 1000
rec iw-wlan0-info-txpower iw dev wlan0 info
rec iw-wlan0-set-txpower-bad iw dev wlan0 set txpower fixed 99000
rec hapd-no-such-interface hostapd_cli -p /run/hostapd -i wlan9 status
rec iw-no-such-dev iw dev wlan9 info
