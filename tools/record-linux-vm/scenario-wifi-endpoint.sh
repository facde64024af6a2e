# Guest scenario (sourced by record.sh's init, which gives `rec` and `recin`): what the agent runs
# for Device.WiFi.EndPoint. on a Linux gateway whose station interface a wpa_supplicant controls
# (a Wi-Fi WAN), and what wpa_supplicant answers before and after each write. wlan0 (phy0) and
# wlan1 (phy1) are the two access points of wifi-aps.sh (usp-lab, WPA2-Personal; usp-lab-5g,
# WPA3-Personal); wlan2 (phy2) is the station, with one network (usp-lab) in its configuration.
# The steps follow the order in which the agent sends them for a Controller's Add, Sets and Delete,
# with every read of a Get after each (the stand-in replays them in that order).
modprobe mac80211_hwsim radios=3
ip link set lo up
rec iw-reg-set iw reg set DE
sleep 1
. /wifi-aps.sh
rec hostapd-start-wlan0 hostapd -B -P /run/hostapd-wlan0.pid /tmp/ap-wlan0.conf
rec hostapd-start-wlan1 hostapd -B -P /run/hostapd-wlan1.pid /tmp/ap-wlan1.conf
sleep 5
mkdir -p /run/wpa_supplicant
cat > /tmp/wpa-wlan2.conf <<'CONF'
ctrl_interface=/run/wpa_supplicant
update_config=1
network={
	ssid="usp-lab"
	key_mgmt=WPA-PSK
	psk="correct horse battery"
	priority=1
}
CONF
cp /tmp/wpa-wlan2.conf /tmp/wpa-wlan2-nosave.conf
sed -i '/update_config=1/d' /tmp/wpa-wlan2-nosave.conf
rec wpas-start wpa_supplicant -B -D nl80211 -i wlan2 -c /tmp/wpa-wlan2.conf -P /run/wpa_supplicant-wlan2.pid
W="wpa_cli -p /run/wpa_supplicant"
# joined: waits (unrecorded, at most 60 s) until the station has joined a network.
joined() {
  for _ in $(seq 60); do $W -i wlan2 status | grep -q wpa_state=COMPLETED && return; sleep 1; done
}

# reads SUFFIX: every read of the agent's Get of Device.WiFi.EndPoint., for the networks listed now.
reads() {
  rec wpa-interface-$1 $W interface
  rec wpa-wlan2-status-$1 $W -i wlan2 status
  rec wpa-wlan2-signal-poll-$1 $W -i wlan2 signal_poll
  rec wpa-wlan2-list-networks-$1 $W -i wlan2 list_networks
  for id in $($W -i wlan2 list_networks | awk 'NR > 1 { print $1 }'); do
    rec wpa-wlan2-get-network-$id-ssid-$1 $W -i wlan2 get_network "$id" ssid
    rec wpa-wlan2-get-network-$id-key-mgmt-$1 $W -i wlan2 get_network "$id" key_mgmt
    rec wpa-wlan2-get-network-$id-priority-$1 $W -i wlan2 get_network "$id" priority
    rec wpa-wlan2-get-network-$id-psk-$1 $W -i wlan2 get_network "$id" psk
  done
  rec iw-wlan2-info-$1 iw dev wlan2 info
  rec iw-wlan2-link-$1 iw dev wlan2 link
}
joined
reads 1
rec wpa-wlan2-get-update-config $W -i wlan2 get update_config
rec wpa-wlan2-capability-key-mgmt $W -i wlan2 get_capability key_mgmt
rec wpa-wlan2-get-network-9-ssid $W -i wlan2 get_network 9 ssid
# Profile Add: a second network to usp-lab-5g (wlan1, WPA3-Personal).
rec wpa-wlan2-add-network $W -i wlan2 add_network
rec wpa-wlan2-set-1-ssid $W -i wlan2 set_network 1 ssid '"usp-lab-5g"'
reads 2a
# Its Security: values refused, then WPA3-Personal with keys sent on wpa_cli's standard input
# (its interactive mode, HOME unset), as the agent sends them.
rec wpa-wlan2-set-1-key-mgmt-bad $W -i wlan2 set_network 1 key_mgmt NO-SUCH
rec wpa-wlan2-set-1-key-mgmt $W -i wlan2 set_network 1 key_mgmt SAE
rec wpa-wlan2-set-1-ieee80211w $W -i wlan2 set_network 1 ieee80211w 2
recin wpa-wlan2-stdin-1-psk-short 'set_network 1 psk "short"
' wpa_cli -p /run/wpa_supplicant -i wlan2
recin wpa-wlan2-stdin-1-psk-raw 'set_network 1 psk 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
' wpa_cli -p /run/wpa_supplicant -i wlan2
recin wpa-wlan2-stdin-1-sae-password 'set_network 1 sae_password "staple battery horse"
' wpa_cli -p /run/wpa_supplicant -i wlan2
reads 2b
# The Profile: priority (and a value refused), a network that does not exist, enabled.
rec wpa-wlan2-set-1-priority $W -i wlan2 set_network 1 priority 2
rec wpa-wlan2-set-1-priority-bad $W -i wlan2 set_network 1 priority abc
rec wpa-wlan2-set-9-ssid $W -i wlan2 set_network 9 ssid '"nowhere"'
rec wpa-wlan2-enable-1 $W -i wlan2 enable_network 1
reads 2
# ProfileReference: the new network selected (the station moves to usp-lab-5g).
rec wpa-wlan2-select-1 $W -i wlan2 select_network 1
sleep 2
joined
reads 3
rec wpa-wlan2-save-config $W -i wlan2 save_config
rec wpa-wlan2-config-saved cat /tmp/wpa-wlan2.conf
# Back to the first network, its passphrase on wpa_cli's standard input.
recin wpa-wlan2-stdin-0-psk 'set_network 0 psk "correct horse battery"
' wpa_cli -p /run/wpa_supplicant -i wlan2
rec wpa-wlan2-enable-0 $W -i wlan2 enable_network 0
rec wpa-wlan2-select-0 $W -i wlan2 select_network 0
sleep 2
joined
reads 4
# Profile Enable false, then true, then Delete of the second network.
rec wpa-wlan2-disable-1 $W -i wlan2 disable_network 1
reads 4d
rec wpa-wlan2-enable-1-again $W -i wlan2 enable_network 1
reads 4e
rec wpa-wlan2-remove-1 $W -i wlan2 remove_network 1
rec wpa-wlan2-remove-9 $W -i wlan2 remove_network 9
reads 5
rec wpa-wlan2-save-config-2 $W -i wlan2 save_config
# wpa_supplicant stopped, then started again without update_config: save_config refused.
rec wpas-stop kill "$(cat /run/wpa_supplicant-wlan2.pid)"
sleep 2
rec wpa-interface-stopped $W interface
rec wpa-wlan2-status-stopped $W -i wlan2 status
rec wpas-start-nosave wpa_supplicant -B -D nl80211 -i wlan2 -c /tmp/wpa-wlan2-nosave.conf -P /run/wpa_supplicant-wlan2.pid
joined
reads 6
rec wpa-wlan2-get-update-config-nosave $W -i wlan2 get update_config
rec wpa-wlan2-save-config-nosave $W -i wlan2 save_config
rec wpa-wlan2-set-0-priority-nosave $W -i wlan2 set_network 0 priority 3
reads 7
rec wpa-wlan2-config-nosave cat /tmp/wpa-wlan2-nosave.conf
